package dev.lighttpdboot.bench;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.secdownload.SecureLinks;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The secure-link verifier, per algorithm: parsing a link, recomputing its token and comparing it in constant
 * time. {@code verifyBadToken} measures what a forged link costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SecureLinksBenchmark {

	@Param({ "MD5", "HMAC_SHA1", "HMAC_SHA256" })
	public SecureLinks.Algorithm algorithm;

	private SecureLinks links;

	private String valid;

	private String forged;

	@Setup
	public void setUp() {
		Instant now = Instant.parse("2026-06-26T06:41:04Z");
		this.links = new SecureLinks("/dl/", this.algorithm, "a-long-random-secret-for-benchmarks", Duration.ofMinutes(5),
				0, false, Clock.fixed(now, ZoneOffset.UTC));
		this.valid = this.links.link("/videos/2026/keynote.flv", now);
		// Same length and shape, one token character changed.
		int tokenStart = "/dl/".length();
		char flipped = (this.valid.charAt(tokenStart) == 'a') ? 'b' : 'a';
		this.forged = this.valid.substring(0, tokenStart) + flipped + this.valid.substring(tokenStart + 1);
	}

	@Benchmark
	public SecureLinks.Verification verifyValid() {
		return this.links.verify(this.valid, null);
	}

	@Benchmark
	public SecureLinks.Verification verifyBadToken() {
		return this.links.verify(this.forged, null);
	}

	@Benchmark
	public String sign() {
		return this.links.link("/videos/2026/keynote.flv");
	}

}
