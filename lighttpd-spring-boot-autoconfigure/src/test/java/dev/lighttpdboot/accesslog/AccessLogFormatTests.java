package dev.lighttpdboot.accesslog;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Set;

import dev.lighttpdboot.gateway.BackendCall;
import io.netty.handler.codec.http.cookie.Cookie;
import org.junit.jupiter.api.Test;
import reactor.netty.http.server.ConnectionInformation;
import reactor.netty.http.server.logging.AccessLogArgProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Lines rendered from fixed request facts.
 */
class AccessLogFormatTests {

	private static final ZonedDateTime WHEN = ZonedDateTime.of(2026, 12, 2, 4, 46, 23, 0, ZoneOffset.ofHours(1));

	@Test
	void combinedIsTheDefaultAndMatchesApacheAndLighttpd() {
		Args args = new Args("GET", "/a.txt?x=1", Map.of("Referer", "http://r/", "User-Agent", "curl/8"), 1234);
		assertThat(AccessLogFormat.parse("combined").render(args, Map.of()))
			.isEqualTo("10.0.0.7 - - [02/Dec/2026:04:46:23 +0100] \"GET /a.txt?x=1 HTTP/1.1\" 200 1234 \"http://r/\" "
					+ "\"curl/8\"");
	}

	@Test
	void gatewayFieldsFollowWhereTheyApply() {
		Args args = new Args("POST", "/up.php?X-Progress-ID=u1", Map.of(), 0);
		Map<String, Object> attributes = Map.of(BackendCall.ATTRIBUTE,
				new BackendCall("php", "php-0", Duration.ofMillis(1012)));
		assertThat(AccessLogFormat.parse("combined").render(args, attributes))
			.endsWith("\"POST /up.php?X-Progress-ID=u1 HTTP/1.1\" 200 - \"-\" \"-\" backend=php-0 backend_time=1.012 "
					+ "upload=u1");
		assertThat(AccessLogFormat.parse("%{route}x %{backend}x %{backend-time}x %{upload-id}x %U %q %B %{ms}T %%")
			.render(args, attributes)).isEqualTo("php php-0 1.012 u1 /up.php ?X-Progress-ID=u1 0 7 %");
		assertThat(AccessLogFormat.parse("combined").render(new Args("GET", "/progress?X-Progress-ID=u1", Map.of(), 40),
				Map.of()))
			.as("a progress poll is not the upload").endsWith("\"-\" \"-\"");
		assertThat(AccessLogFormat.parse("%{backend}x %{backend-time}x %{upload-id}x").render(
				new Args("GET", "/", Map.of(), 0), Map.of()))
			.isEqualTo("- - -");
	}

	@Test
	void clientTextCannotForgeALine() {
		Args args = new Args("GET", "/x", Map.of("User-Agent", "a\"b\\c\nd\u00e9"), 1);
		assertThat(AccessLogFormat.parse("\"%{User-Agent}i\"").render(args, Map.of()))
			.isEqualTo("\"a\\\"b\\\\c\\x0Ad\\xE9\"");
	}

	@Test
	void unknownDirectivesAreNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> AccessLogFormat.parse("%h %Z"))
			.withMessageContaining("'%Z'");
		assertThatIllegalArgumentException().isThrownBy(() -> AccessLogFormat.parse("%{nope}x"))
			.withMessageContaining("nope");
		assertThatIllegalArgumentException().isThrownBy(() -> AccessLogFormat.parse("%i"))
			.withMessageContaining("%{Name}i");
	}

	private record Args(CharSequence method, String target, Map<String, String> headers, long length)
			implements AccessLogArgProvider {

		@Override
		public String zonedDateTime() {
			return WHEN.toString();
		}

		@Override
		public ZonedDateTime accessDateTime() {
			return WHEN;
		}

		@Override
		public SocketAddress remoteAddress() {
			return new InetSocketAddress("10.0.0.7", 40000);
		}

		@Override
		public ConnectionInformation connectionInformation() {
			return null;
		}

		@Override
		public CharSequence method() {
			return this.method;
		}

		@Override
		public CharSequence uri() {
			return this.target;
		}

		@Override
		public String protocol() {
			return "HTTP/1.1";
		}

		@Override
		public String user() {
			return null;
		}

		@Override
		public CharSequence status() {
			return "200";
		}

		@Override
		public long contentLength() {
			return this.length;
		}

		@Override
		public long duration() {
			return 7;
		}

		@Override
		public CharSequence requestHeader(CharSequence name) {
			return this.headers.get(name.toString());
		}

		@Override
		public CharSequence responseHeader(CharSequence name) {
			return null;
		}

		@Override
		public Map<CharSequence, Set<Cookie>> cookies() {
			return Map.of();
		}

	}

}
