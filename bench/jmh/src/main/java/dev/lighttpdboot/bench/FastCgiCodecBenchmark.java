package dev.lighttpdboot.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.gateway.fastcgi.FastCgiBeginRequest;
import dev.lighttpdboot.gateway.fastcgi.FastCgiNameValuePairs;
import dev.lighttpdboot.gateway.fastcgi.FastCgiParams;
import dev.lighttpdboot.gateway.fastcgi.FastCgiRequestEncoder;
import dev.lighttpdboot.gateway.fastcgi.FastCgiResponseDecoder;
import dev.lighttpdboot.gateway.fastcgi.FastCgiRole;
import dev.lighttpdboot.gateway.fastcgi.FastCgiStdin;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The FastCGI codec on the path of every gateway request: encoding a request's PARAMS (the CGI environment of a
 * typical PHP request) and decoding a response's STDOUT and END_REQUEST records. Both run through Netty's
 * {@link EmbeddedChannel}, as in the codec's tests, so the numbers include one pipeline pass per message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FastCgiCodecBenchmark {

	private static final int STDOUT = 6;

	private static final int END_REQUEST = 3;

	private EmbeddedChannel encoder;

	private FastCgiBeginRequest begin;

	private FastCgiParams params;

	@Setup
	public void setUp() {
		this.encoder = new EmbeddedChannel(new FastCgiRequestEncoder());
		this.begin = new FastCgiBeginRequest(1, FastCgiRole.RESPONDER, true);
		this.params = new FastCgiParams(1, phpEnvironment());
	}

	@TearDown
	public void tearDown() {
		this.encoder.finishAndReleaseAll();
	}

	/**
	 * BEGIN_REQUEST, PARAMS (about 25 variables) and the empty STDIN that ends a GET.
	 */
	@Benchmark
	public void encodeRequest(Blackhole blackhole) {
		this.encoder.writeOutbound(this.begin, this.params, FastCgiStdin.endOfStream(1));
		drain(this.encoder.outboundMessages().size(), this.encoder, blackhole, false);
	}

	/**
	 * The name-value pairs alone, into one buffer.
	 */
	@Benchmark
	public int encodeNameValuePairs() {
		ByteBuf out = Unpooled.buffer(1024);
		try {
			for (Map.Entry<String, String> param : this.params.params()) {
				FastCgiNameValuePairs.encode(param.getKey(), param.getValue(), out);
			}
			return out.writerIndex();
		}
		finally {
			out.release();
		}
	}

	/**
	 * One response: a STDOUT record with head and body, the empty STDOUT, END_REQUEST.
	 */
	@Benchmark
	public void decodeStdout(Response response, Blackhole blackhole) {
		response.decoder.writeInbound(response.bytes.retainedDuplicate());
		drain(response.decoder.inboundMessages().size(), response.decoder, blackhole, true);
	}

	/**
	 * A response as php-fpm sends it, and the decoder it is fed to.
	 */
	@State(Scope.Thread)
	public static class Response {

		/**
		 * Bytes of STDOUT after the CGI head: a "Hello, world" page, and a record of nearly 64 KiB.
		 */
		@Param({ "14", "65000" })
		public int bodyLength;

		EmbeddedChannel decoder;

		ByteBuf bytes;

		@Setup
		public void setUp() {
			this.decoder = new EmbeddedChannel(new FastCgiResponseDecoder());
			this.bytes = Unpooled.directBuffer();
			byte[] head = "Status: 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n"
				.getBytes(StandardCharsets.US_ASCII);
			int length = head.length + this.bodyLength;
			record(this.bytes, STDOUT, length);
			this.bytes.writeBytes(head).writeZero(this.bodyLength).writeZero(padding(length));
			record(this.bytes, STDOUT, 0);
			record(this.bytes, END_REQUEST, 8);
			this.bytes.writeZero(8);
		}

		@TearDown
		public void tearDown() {
			this.decoder.finishAndReleaseAll();
			this.bytes.release();
		}

	}

	private static void drain(int count, EmbeddedChannel channel, Blackhole blackhole, boolean inbound) {
		for (int i = 0; i < count; i++) {
			Object message = inbound ? channel.readInbound() : channel.readOutbound();
			blackhole.consume(message);
			ReferenceCountUtil.release(message);
		}
	}

	private static void record(ByteBuf out, int type, int contentLength) {
		out.writeByte(1).writeByte(type).writeShort(1).writeShort(contentLength).writeByte(padding(contentLength))
			.writeByte(0);
	}

	private static int padding(int contentLength) {
		return (8 - contentLength % 8) % 8;
	}

	private static List<Map.Entry<String, String>> phpEnvironment() {
		List<Map.Entry<String, String>> env = new ArrayList<>();
		env.add(Map.entry("GATEWAY_INTERFACE", "CGI/1.1"));
		env.add(Map.entry("SERVER_SOFTWARE", "lighttpd-spring-boot"));
		env.add(Map.entry("SERVER_PROTOCOL", "HTTP/1.1"));
		env.add(Map.entry("SERVER_NAME", "127.0.0.1"));
		env.add(Map.entry("SERVER_ADDR", "127.0.0.1"));
		env.add(Map.entry("SERVER_PORT", "8080"));
		env.add(Map.entry("REMOTE_ADDR", "127.0.0.1"));
		env.add(Map.entry("REMOTE_PORT", "53422"));
		env.add(Map.entry("REQUEST_METHOD", "GET"));
		env.add(Map.entry("REQUEST_SCHEME", "http"));
		env.add(Map.entry("REQUEST_URI", "/hello.php?name=world"));
		env.add(Map.entry("QUERY_STRING", "name=world"));
		env.add(Map.entry("SCRIPT_NAME", "/hello.php"));
		env.add(Map.entry("SCRIPT_FILENAME", "/srv/www/hello.php"));
		env.add(Map.entry("DOCUMENT_ROOT", "/srv/www"));
		env.add(Map.entry("REDIRECT_STATUS", "200"));
		env.add(Map.entry("CONTENT_LENGTH", ""));
		env.add(Map.entry("HTTP_HOST", "127.0.0.1:8080"));
		env.add(Map.entry("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"));
		env.add(Map.entry("HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
		env.add(Map.entry("HTTP_ACCEPT_LANGUAGE", "en-GB,en;q=0.5"));
		env.add(Map.entry("HTTP_ACCEPT_ENCODING", "gzip, deflate, br"));
		env.add(Map.entry("HTTP_CONNECTION", "keep-alive"));
		env.add(Map.entry("HTTP_COOKIE", "PHPSESSID=" + "0123456789abcdef".repeat(2)));
		// One value beyond 127 bytes, so the four-byte length form is exercised too.
		env.add(Map.entry("HTTP_X_TRACE", "t".repeat(200)));
		return env;
	}

}
