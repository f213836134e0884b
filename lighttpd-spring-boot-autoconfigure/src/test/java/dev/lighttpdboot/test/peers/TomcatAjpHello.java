package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.ajp.AbstractAjpProtocol;

/**
 * The benchmark's Java backend ({@code bench/run.sh}, row {@code ajp-hello}): Tomcat with only an AJP connector on a
 * loopback port, without a secret, answering every request with the 14 bytes {@code Hello, world!\n}, as the other
 * hello rows. It needs tomcat-embed-core alone on its class path:
 * <pre>
 * java -cp lighttpd-spring-boot-autoconfigure/target/test-classes:tomcat-embed-core.jar \
 *     dev.lighttpdboot.test.peers.TomcatAjpHello 8009 [maxThreads]
 * </pre>
 * It runs until it is stopped (SIGTERM).
 */
public final class TomcatAjpHello {

	private static final byte[] HELLO = "Hello, world!\n".getBytes(StandardCharsets.US_ASCII);

	private TomcatAjpHello() {
	}

	public static void main(String[] args) throws Exception {
		Tomcat tomcat = new Tomcat();
		String base = Files.createTempDirectory("bench-tomcat-ajp-").toString();
		tomcat.setBaseDir(base);
		Connector connector = new Connector("AJP/1.3");
		connector.setPort(Integer.parseInt(args[0]));
		AbstractAjpProtocol<?> ajp = (AbstractAjpProtocol<?>) connector.getProtocolHandler();
		ajp.setAddress(InetAddress.getLoopbackAddress());
		ajp.setSecretRequired(false);
		if (args.length > 1) {
			ajp.setMaxThreads(Integer.parseInt(args[1]));
		}
		tomcat.setConnector(connector);
		Context context = tomcat.addContext("", base);
		Tomcat.addServlet(context, "hello", new HelloServlet());
		context.addServletMappingDecoded("/*", "hello");
		tomcat.start();
		System.out.println("Tomcat AJP on 127.0.0.1:" + connector.getLocalPort());
		tomcat.getServer().await();
	}

	private static final class HelloServlet extends HttpServlet {

		@Override
		protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType("text/plain");
			response.setContentLength(HELLO.length);
			response.getOutputStream().write(HELLO);
		}

	}

}
