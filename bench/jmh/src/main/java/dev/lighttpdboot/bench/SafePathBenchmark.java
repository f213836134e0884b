package dev.lighttpdboot.bench;

import java.util.concurrent.TimeUnit;

import dev.lighttpdboot.files.HiddenFiles;
import dev.lighttpdboot.files.SafePath;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SafePath#parse}, which every static-file, X-Sendfile and signed-link request goes through before the file
 * system is asked anything: percent-decoding once and checking each segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SafePathBenchmark {

	/**
	 * A short path, a deeper one with percent-escapes, and a path with a dot-dot segment that is refused.
	 */
	@Param({ "/1k.bin", "/docs/2026/reports/May%202026%20%28final%29.pdf", "/docs/../../etc/passwd" })
	public String path;

	@Benchmark
	public Object parse() {
		try {
			return SafePath.parse(this.path, HiddenFiles.REFUSED);
		}
		catch (RuntimeException ex) {
			// Refusals are part of the measured work: they are what an attacker's requests cost.
			return ex;
		}
	}

}
