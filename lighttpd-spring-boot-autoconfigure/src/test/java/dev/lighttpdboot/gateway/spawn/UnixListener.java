package dev.lighttpdboot.gateway.spawn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.lighttpdboot.test.peers.Peers;

/**
 * The command lines of a tiny backend for the supervisor's tests: a python3 program that binds the Unix-domain
 * socket it is given, optionally forks workers that accept on it too (as php-cgi does with
 * {@code PHP_FCGI_CHILDREN}), and accepts and closes connections forever. The socket gets its name only once the
 * workers exist, so a process that accepts connections has all its workers.
 */
final class UnixListener {

	private static final String SCRIPT = """
			import os, signal, socket, sys
			path, workers, setsid = sys.argv[1], int(sys.argv[2]), sys.argv[3] == 'setsid'
			stubborn = len(sys.argv) > 4 and sys.argv[4] == 'stubborn'
			if setsid:
			    os.setsid()
			server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
			if os.path.exists(path + '.new'):
			    os.unlink(path + '.new')
			server.bind(path + '.new')
			server.listen(16)
			master = os.getpid()
			for _ in range(workers):
			    if os.fork() == 0:
			        break
			if os.getpid() == master:
			    os.rename(path + '.new', path)
			elif stubborn:
			    signal.signal(signal.SIGTERM, signal.SIG_IGN)
			while True:
			    connection, _ = server.accept()
			    connection.close()
			""";

	private UnixListener() {
	}

	/** A listener without workers. */
	static List<String> command() {
		return command(0, false);
	}

	/**
	 * A listener that forks {@code workers} workers, and with {@code setsid} leads a session and process group
	 * of its own first, as php-cgi does.
	 */
	static List<String> command(int workers, boolean setsid) {
		return new ArrayList<>(List.of(python(), "-c", SCRIPT, SpawnSpec.ADDRESS, Integer.toString(workers),
				setsid ? "setsid" : "-"));
	}

	/**
	 * Like {@link #command(int, boolean)} with {@code setsid}, with workers that ignore SIGTERM, as a php-cgi worker
	 * holding a pool's idle keep-alive connection does until SIGKILL.
	 */
	static List<String> stubbornWorkers(int workers) {
		List<String> command = command(workers, true);
		command.add("stubborn");
		return command;
	}

	static String python() {
		return Peers.require("python3", Path.of("/usr/bin/python3")).toString();
	}

}
