package dev.lighttpdboot.gateway.cgi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

class CgiEnvironmentTests {

	private static final Path ROOT = Path.of("/srv/www");

	private static final ScriptResolution SCRIPT = ScriptResolution.of(ROOT, "/app/index.php", "/extra/path");

	private final CgiEnvironment environment = new CgiEnvironment();

	@Test
	void buildsTheCgiVariables() {
		ServerHttpRequest request = request(HttpMethod.POST, "http://example.org/app/index.php/extra/path?a=1&b=%20c")
			.header("Host", "example.org:8080")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Content-Length", "11")
			.build();
		Map<String, String> env = asMap(this.environment.build(request, SCRIPT, 11));
		assertThat(env).containsEntry("CONTENT_LENGTH", "11")
			.containsEntry("CONTENT_TYPE", "application/x-www-form-urlencoded")
			.containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
			.containsEntry("SERVER_SOFTWARE", "lighttpd-spring-boot")
			.containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
			.containsEntry("SERVER_NAME", "example.org")
			.containsEntry("SERVER_ADDR", "127.0.0.1")
			.containsEntry("SERVER_PORT", "8080")
			.containsEntry("REMOTE_ADDR", "192.0.2.7")
			.containsEntry("REMOTE_PORT", "51234")
			.containsEntry("REQUEST_METHOD", "POST")
			.containsEntry("REQUEST_SCHEME", "http")
			.containsEntry("REQUEST_URI", "/app/index.php/extra/path?a=1&b=%20c")
			.containsEntry("QUERY_STRING", "a=1&b=%20c")
			.containsEntry("SCRIPT_NAME", "/app/index.php")
			.containsEntry("SCRIPT_FILENAME", "/srv/www/app/index.php")
			.containsEntry("PATH_INFO", "/extra/path")
			.containsEntry("PATH_TRANSLATED", "/srv/www/extra/path")
			.containsEntry("DOCUMENT_ROOT", "/srv/www")
			.containsEntry("REDIRECT_STATUS", "200")
			.containsEntry("HTTP_HOST", "example.org:8080")
			.doesNotContainKeys("HTTPS", "HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH");
	}

	@Test
	void contentLengthComesFirstAndIsZeroWithoutBody() {
		List<Map.Entry<String, String>> parameters = this.environment
			.build(request(HttpMethod.GET, "http://localhost/app/index.php").build(), SCRIPT, 0);
		assertThat(parameters.get(0)).isEqualTo(Map.entry("CONTENT_LENGTH", "0"));
		assertThat(asMap(parameters)).doesNotContainKey("CONTENT_TYPE");
	}

	@Test
	void contentLengthIsTheSpooledLengthNotTheHeader() {
		ServerHttpRequest request = request(HttpMethod.POST, "http://localhost/app/index.php")
			.header("Transfer-Encoding", "chunked")
			.build();
		Map<String, String> env = asMap(this.environment.build(request, SCRIPT, 123456));
		assertThat(env).containsEntry("CONTENT_LENGTH", "123456").doesNotContainKey("HTTP_TRANSFER_ENCODING");
	}

	@Test
	void namesAreUnique() {
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/app/index.php")
			.header("X-A", "1")
			.header("x-a", "2")
			.header("Accept", "a", "b")
			.build();
		List<Map.Entry<String, String>> parameters = this.environment.build(request, SCRIPT, 0);
		assertThat(parameters.stream().map(Map.Entry::getKey)).doesNotHaveDuplicates();
		assertThat(asMap(parameters)).containsEntry("HTTP_X_A", "1, 2").containsEntry("HTTP_ACCEPT", "a, b");
	}

	@Test
	void pathInfoAndPathTranslatedAreLeftOutWhenEmpty() {
		ScriptResolution script = ScriptResolution.of(ROOT, "/index.php", "");
		Map<String, String> env = asMap(
				this.environment.build(request(HttpMethod.GET, "http://localhost/index.php").build(), script, 0));
		assertThat(env).containsEntry("SCRIPT_NAME", "/index.php").doesNotContainKeys("PATH_INFO", "PATH_TRANSLATED");
	}

	@Test
	void rootMountHasEmptyScriptName() {
		ScriptResolution script = ScriptResolution.of(ROOT, "", "/abc/def");
		Map<String, String> env = asMap(
				this.environment.build(request(HttpMethod.GET, "http://localhost/abc/def").build(), script, 0));
		assertThat(env).containsEntry("SCRIPT_NAME", "").containsEntry("SCRIPT_FILENAME", "/srv/www")
			.containsEntry("PATH_INFO", "/abc/def").containsEntry("PATH_TRANSLATED", "/srv/www/abc/def");
	}

	@Test
	void queryStringIsEmptyAndRequestUriHasNoQuestionMarkWithoutQuery() {
		Map<String, String> env = asMap(
				this.environment.build(request(HttpMethod.GET, "http://localhost/app/index.php").build(), SCRIPT, 0));
		assertThat(env).containsEntry("QUERY_STRING", "").containsEntry("REQUEST_URI", "/app/index.php");
		env = asMap(this.environment.build(request(HttpMethod.GET, "http://localhost/app/index.php?").build(),
				SCRIPT, 0));
		assertThat(env).containsEntry("QUERY_STRING", "").containsEntry("REQUEST_URI", "/app/index.php?");
	}

	@Test
	void requestUriKeepsTheRawPath() {
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/d%C3%BCr/x.php/a%2Fb?q=%C3%BC").build();
		Map<String, String> env = asMap(
				this.environment.build(request, ScriptResolution.of(ROOT, "/dür/x.php", "/a"), 0));
		assertThat(env).containsEntry("REQUEST_URI", "/d%C3%BCr/x.php/a%2Fb?q=%C3%BC")
			.containsEntry("QUERY_STRING", "q=%C3%BC");
	}

	@Test
	void decodedNamesAreSentAsUtf8Bytes() {
		ScriptResolution script = ScriptResolution.of(Path.of("/srv/wörld"), "/dür/x.php", "/ü");
		Map<String, String> env = asMap(
				this.environment.build(request(HttpMethod.GET, "http://localhost/x").build(), script, 0));
		assertThat(env.get("SCRIPT_NAME")).isEqualTo(latin1Of("/dür/x.php"));
		assertThat(env.get("PATH_INFO")).isEqualTo(latin1Of("/ü"));
		assertThat(env.get("SCRIPT_FILENAME")).isEqualTo(latin1Of("/srv/wörld/dür/x.php"));
		assertThat(env.get("PATH_TRANSLATED")).isEqualTo(latin1Of("/srv/wörld/ü"));
		assertThat(env.get("DOCUMENT_ROOT")).isEqualTo(latin1Of("/srv/wörld"));
		env.forEach((name, value) -> assertThat(value.chars()).as(name).allMatch((c) -> c < 0x100));
	}

	@Test
	void headerValuesStayRawBytes() {
		String raw = new String("café".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/x").header("X-Name", raw).build();
		assertThat(asMap(this.environment.build(request, SCRIPT, 0))).containsEntry("HTTP_X_NAME", raw);
	}

	@Test
	void secureRequestsGetHttps() {
		ServerHttpRequest request = request(HttpMethod.GET, "https://example.org/x")
			.sslInfo(SslInfo.from("session"))
			.localAddress(new InetSocketAddress("127.0.0.1", 8443))
			.build();
		Map<String, String> env = asMap(this.environment.build(request, SCRIPT, 0));
		assertThat(env).containsEntry("HTTPS", "on").containsEntry("REQUEST_SCHEME", "https")
			.containsEntry("SERVER_PORT", "8443");
	}

	@Test
	void forwardedHttpsCountsAsSecure() {
		// A ForwardedHeaderTransformer, trusted by configuration, rewrote the URI; there is no TLS here.
		Map<String, String> env = asMap(
				this.environment.build(request(HttpMethod.GET, "https://example.org/x").build(), SCRIPT, 0));
		assertThat(env).containsEntry("HTTPS", "on").containsEntry("REQUEST_SCHEME", "https");
	}

	@Test
	void cookiesAreJoinedWithSemicolons() {
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/x")
			.header("Cookie", "a=1", "b=2")
			.build();
		assertThat(asMap(this.environment.build(request, SCRIPT, 0))).containsEntry("HTTP_COOKIE", "a=1; b=2");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(textBlock = """
			Proxy
			proxy
			X_Forwarded_For
			X.Forwarded
			X Forwarded
			Content-Type
			Content-Length
			Transfer-Encoding
			""")
	void dropsHeadersThatMustNotBecomeVariables(String name) {
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/x")
			.header(name, "http://evil.example:3128")
			.build();
		Map<String, String> env = asMap(this.environment.build(request, SCRIPT, 0));
		assertThat(env.keySet()).noneMatch((key) -> key.startsWith("HTTP_") && !key.equals("HTTP_HOST"));
	}

	@Test
	void underscoreHeadersCannotSpoofDashHeaders() {
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/x")
			.header("X_Forwarded_For", "6.6.6.6")
			.header("X-Forwarded-For", "192.0.2.1")
			.build();
		assertThat(asMap(this.environment.build(request, SCRIPT, 0))).containsEntry("HTTP_X_FORWARDED_FOR", "192.0.2.1");
	}

	@Test
	void keepsDigitsAndUpperCasesNames() {
		assertThat(CgiEnvironment.variableName("x-Foo-9")).isEqualTo("HTTP_X_FOO_9");
		assertThat(CgiEnvironment.variableName("Authorization")).isEqualTo("HTTP_AUTHORIZATION");
		assertThat(CgiEnvironment.variableName("X-Ü")).isNull();
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			example.org:8080  | example.org
			example.org       | example.org
			[::1]:8080        | [::1]
			[2001:db8::1]     | [2001:db8::1]
			""")
	void serverNameIsTheHostWithoutPort(String host, String serverName) {
		ServerHttpRequest request = request(HttpMethod.GET, "http://localhost/x").header("Host", host).build();
		assertThat(asMap(this.environment.build(request, SCRIPT, 0))).containsEntry("SERVER_NAME", serverName);
	}

	@Test
	void ipv6AddressesAreShort() {
		ServerHttpRequest request = MockServerHttpRequest.method(HttpMethod.GET, URI.create("http://[::1]:8080/x"))
			.localAddress(new InetSocketAddress("::1", 8080))
			.remoteAddress(new InetSocketAddress("::1", 40000))
			.build();
		Map<String, String> env = asMap(this.environment.build(request, SCRIPT, 0));
		assertThat(env).containsEntry("SERVER_ADDR", "::1").containsEntry("REMOTE_ADDR", "::1")
			.containsEntry("SERVER_NAME", "[::1]");
	}

	@Test
	void serverSoftwareIsConfigurable() {
		Map<String, String> env = asMap(new CgiEnvironment("test/1.0")
			.build(request(HttpMethod.GET, "http://localhost/x").build(), SCRIPT, 0));
		assertThat(env).containsEntry("SERVER_SOFTWARE", "test/1.0");
	}

	private static MockServerHttpRequest.BodyBuilder request(HttpMethod method, String uri) {
		return MockServerHttpRequest.method(method, URI.create(uri))
			.localAddress(new InetSocketAddress("127.0.0.1", 8080))
			.remoteAddress(new InetSocketAddress("192.0.2.7", 51234));
	}

	private static Map<String, String> asMap(List<Map.Entry<String, String>> parameters) {
		Map<String, String> map = new LinkedHashMap<>();
		parameters.forEach((entry) -> map.put(entry.getKey(), entry.getValue()));
		return map;
	}

	private static String latin1Of(String text) {
		return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
	}

}
