package dev.lighttpdboot.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.ajp.AbstractAjpProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's {@code /java/} route: a servlet behind Tomcat's AJP connector, which this test runs in its own
 * JVM (tomcat-embed-core, a test dependency) with a secret, as a production connector would require, and which the
 * route reaches with application.yml's {@code demo.java-backends} and {@code demo.java-secret} set.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class JavaRouteTests {

	private static final String SECRET = "sample-secret";

	private static Tomcat tomcat;

	private static Path tomcatDirectory;

	@DynamicPropertySource
	static void javaBackend(DynamicPropertyRegistry registry) throws IOException {
		DemoSite site = DemoSite.extract();
		SampleApplication.demoDefaults(site).forEach((name, value) -> registry.add(name, () -> value));
		SampleApplication.phpDefaults("127.0.0.1:9", null).forEach((name, value) -> registry.add(name, () -> value));
		SampleApplication.pythonDefaults(null, site).forEach((name, value) -> registry.add(name, () -> value));
		int port = startTomcat();
		registry.add("demo.java-backends", () -> "127.0.0.1:" + port);
		// Through application.yml's placeholder: a routes[2].* property here would replace its whole list of routes.
		registry.add("demo.java-secret", () -> SECRET);
	}

	@AfterAll
	static void stopTomcat() throws LifecycleException {
		if (tomcat != null) {
			tomcat.stop();
			tomcat.destroy();
			tomcat = null;
			FileSystemUtils.deleteRecursively(tomcatDirectory.toFile());
		}
	}

	@LocalServerPort
	int port;

	@Test
	void theServletAnswersOverAjp13() {
		String page = client().get().uri("/java/hello?name=x").exchange().expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(page).isEqualTo("Hello from Java over AJP13: GET /java/hello?name=x from 127.0.0.1");
	}

	private WebTestClient client() {
		java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
			.version(java.net.http.HttpClient.Version.HTTP_1_1).build();
		return WebTestClient.bindToServer(new JdkClientHttpConnector(http)).baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	private static int startTomcat() {
		try {
			tomcatDirectory = Files.createTempDirectory("sample-tomcat-ajp-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		tomcat = new Tomcat();
		tomcat.setBaseDir(tomcatDirectory.toString());
		Connector connector = new Connector("AJP/1.3");
		connector.setPort(0);
		AbstractAjpProtocol<?> ajp = (AbstractAjpProtocol<?>) connector.getProtocolHandler();
		ajp.setAddress(InetAddress.getLoopbackAddress());
		ajp.setSecret(SECRET);
		tomcat.setConnector(connector);
		Context context = tomcat.addContext("", tomcatDirectory.toString());
		Tomcat.addServlet(context, "hello", new HelloServlet());
		context.addServletMappingDecoded("/*", "hello");
		try {
			tomcat.start();
		}
		catch (LifecycleException ex) {
			throw new IllegalStateException("Tomcat did not start", ex);
		}
		return connector.getLocalPort();
	}

	private static final class HelloServlet extends HttpServlet {

		@Override
		protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
			response.setContentType("text/plain");
			response.getOutputStream().write(("Hello from Java over AJP13: " + request.getMethod() + " "
					+ request.getRequestURI() + "?" + request.getQueryString() + " from " + request.getRemoteAddr())
				.getBytes(StandardCharsets.UTF_8));
		}

	}

}
