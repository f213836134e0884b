package dev.lighttpdboot.gateway.fastcgi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PHP scripts the FastCGI tests run, written into a php-fpm document root.
 */
final class PhpScripts {

	private PhpScripts() {
	}

	static void writeTo(Path root) {
		try {
			Files.writeString(root.resolve("hello.php"), """
					<?php
					header('X-Test: yes');
					setcookie('a', '1');
					setcookie('b', '2');
					$body = file_get_contents('php://input');
					echo 'Hello ', $_GET['name'] ?? 'world', ' ', $_SERVER['REQUEST_METHOD'], ' ', $_SERVER['SCRIPT_NAME'],
					    ' pi=', $_SERVER['PATH_INFO'] ?? '', ' len=', strlen($body), ' sha=', hash('sha256', $body),
					    ' agent=', $_SERVER['HTTP_USER_AGENT'] ?? '', ' proxy=', getenv('HTTP_PROXY') ?: '', "\\n";
					""");
			Files.writeString(root.resolve("big.php"), """
					<?php
					$n = intval($_GET['mb'] ?? 20);
					$chunk = str_repeat('x', 1048576);
					for ($i = 0; $i < $n; $i++) { echo $chunk; flush(); }
					""");
			Files.writeString(root.resolve("status.php"), """
					<?php
					if (isset($_GET['loc'])) { header('Location: ' . $_GET['loc']); }
					else { http_response_code(intval($_GET['code'] ?? 404)); }
					error_log('status.php wrote to stderr');
					echo 'status body';
					""");
			Files.writeString(root.resolve("fatal.php"), "<?php undefined_function_call();\n");
			Files.writeString(root.resolve("slow.php"), "<?php sleep(intval($_GET['s'] ?? 3)); echo 'late';\n");
			Files.writeString(root.resolve("sendfile.php"), """
					<?php
					header('X-Sendfile: ' . $_GET['path']);
					header('Content-Type: text/plain');
					echo 'ignored';
					""");
			Files.createDirectories(root.resolve("app"));
			Files.writeString(root.resolve("app/index.php"), """
					<?php echo $_SERVER['SCRIPT_NAME'], '|', $_SERVER['PATH_INFO'] ?? '', '|', $_SERVER['REQUEST_URI'];
					""");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
