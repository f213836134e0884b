package dev.lighttpdboot.gateway.fastcgi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import dev.lighttpdboot.gateway.fastcgi.ReceivedParts.Piece;
import dev.lighttpdboot.test.RandomCases;
import dev.lighttpdboot.test.RandomCases.RandomCase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips through the codec and a parser written apart from it ({@link TestRecord}), which also checks that
 * every record the encoder writes is one php-fpm accepts.
 */
class FastCgiCodecPropertyTests {

	private static final Map<String, int[]> coverage = new ConcurrentHashMap<>();

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases150")
	void paramsArriveRecordByRecordInOrder(RandomCase random) {
		List<Map.Entry<String, String>> params = params(random);
		int requestId = random.between(1, 65535);
		EmbeddedChannel channel = new EmbeddedChannel(new FastCgiRequestEncoder());
		channel.writeOutbound(new FastCgiParams(requestId, params));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(channel));
		List<Map.Entry<String, String>> decoded = new ArrayList<>();
		for (int i = 0; i < records.size(); i++) {
			TestRecord record = records.get(i);
			assertThat(record.recordType()).isEqualTo(FastCgiRecordType.PARAMS);
			assertThat(record.requestId()).isEqualTo(requestId);
			assertThat(record.content().length == 0).as("empty record #" + i).isEqualTo(i == records.size() - 1);
			assertPaddedWherePossible(record);
			decoded.addAll(record.pairs().entrySet());
		}
		assertThat(decoded).containsExactlyElementsOf(params);
		assertThat(channel.finishAndReleaseAll()).isFalse();
		requireSomeSamplesOfSeveralRecords("params", records.size() > 2);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases100")
	void stdinArrivesInRecordsOfAtMost65528Bytes(RandomCase random) {
		int length = streamLength(random);
		int offset = random.between(0, 16);
		byte[] body = randomBytes(random.random(), length);
		ByteBuf content = Unpooled.buffer(offset + length).writeZero(offset).writeBytes(body).skipBytes(offset);
		EmbeddedChannel channel = new EmbeddedChannel(new FastCgiRequestEncoder());
		channel.writeOutbound(new FastCgiStdin(1, content));
		List<TestRecord> records = TestRecord.parseAll(TestRecord.drainOutbound(channel));
		assertThat(records).hasSize(Math.max(1, (length + 65527) / 65528)).allSatisfy((record) -> {
			assertThat(record.recordType()).isEqualTo(FastCgiRecordType.STDIN);
			assertThat(record.content()).hasSizeLessThanOrEqualTo(65528);
			assertPaddedWherePossible(record);
		});
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		records.forEach((record) -> received.writeBytes(record.content()));
		assertThat(received.toByteArray()).isEqualTo(body);
		assertThat(content.refCnt()).isZero();
		assertThat(channel.finishAndReleaseAll()).isFalse();
		requireSomeSamplesOfSeveralRecords("stdin", records.size() > 1);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("cases100")
	void stdoutAndStderrSurviveAnyRecordSizesAndChunkBoundaries(RandomCase randomCase) {
		int length = streamLength(randomCase);
		Random random = randomCase.random();
		byte[] stdout = randomBytes(random, length);
		byte[] stderr = randomBytes(random, random.nextInt(2000));
		ByteArrayOutputStream response = new ByteArrayOutputStream();
		int stdoutIndex = 0;
		int stderrIndex = 0;
		while (stdoutIndex < stdout.length || stderrIndex < stderr.length) {
			boolean toStderr = stderrIndex < stderr.length && (stdoutIndex == stdout.length || random.nextInt(4) == 0);
			byte[] source = toStderr ? stderr : stdout;
			int index = toStderr ? stderrIndex : stdoutIndex;
			int size = Math.min(source.length - index, recordSize(random));
			byte[] content = new byte[size];
			System.arraycopy(source, index, content, 0, size);
			FastCgiRecordType type = toStderr ? FastCgiRecordType.STDERR : FastCgiRecordType.STDOUT;
			response.writeBytes(TestRecord.of(type, 1, content, random.nextInt(256)).toBytes());
			if (toStderr) {
				stderrIndex += size;
			}
			else {
				stdoutIndex += size;
			}
		}
		response.writeBytes(TestRecord.of(FastCgiRecordType.STDOUT, 1, new byte[0], 0).toBytes());
		response.writeBytes(TestRecord.endRequest(1, 0, 0).toBytes());

		EmbeddedChannel channel = new EmbeddedChannel(new FastCgiResponseDecoder());
		ByteBuf input = Unpooled.wrappedBuffer(response.toByteArray());
		ByteArrayOutputStream receivedStdout = new ByteArrayOutputStream();
		ByteArrayOutputStream receivedStderr = new ByteArrayOutputStream();
		List<Object> others = new ArrayList<>();
		while (input.isReadable()) {
			int chunk = (random.nextInt(3) == 0) ? 1 + random.nextInt(16) : 1 + random.nextInt(30_000);
			channel.writeInbound(input.readRetainedSlice(Math.min(chunk, input.readableBytes())));
			for (Object part : ReceivedParts.drain(channel)) {
				if (part instanceof Piece piece) {
					assertThat(piece.content()).isNotEmpty();
					(piece.stream() == FastCgiRecordType.STDOUT ? receivedStdout : receivedStderr)
						.writeBytes(piece.content().getBytes(StandardCharsets.ISO_8859_1));
				}
				else {
					others.add(part);
				}
			}
		}
		input.release();
		assertThat(receivedStdout.toByteArray()).isEqualTo(stdout);
		assertThat(receivedStderr.toByteArray()).isEqualTo(stderr);
		assertThat(others).containsExactly(new FastCgiEndRequest(1, 0, ProtocolStatus.REQUEST_COMPLETE));
		assertThat(channel.finishAndReleaseAll()).isFalse();
		assertThat(input.refCnt()).isZero();
		requireSomeSamplesOfSeveralRecords("stdout", stdout.length > 65535);
	}

	static Stream<RandomCase> cases150() {
		return RandomCases.of(150);
	}

	static Stream<RandomCase> cases100() {
		return RandomCases.of(100);
	}

	private static List<Map.Entry<String, String>> params(RandomCase random) {
		Map<String, String> unique = new LinkedHashMap<>();
		int size = random.between(0, 60);
		for (int i = 0; i < size; i++) {
			String name = random.string('\u0000', '\u00ff', 299) + (char) random.between(0, 0xff);
			// Mostly small values, as in real requests, and some large ones so that the set spans several records.
			String value = (random.between(0, 4) < 4) ? random.string('\u0000', '\u00ff', 300)
					: String.valueOf((char) random.between(0, 0xff)).repeat(random.between(128, 65_000));
			unique.putIfAbsent(name, value);
		}
		List<Map.Entry<String, String>> params = new ArrayList<>();
		unique.forEach((name, value) -> params.add(Map.entry(name, value)));
		return params;
	}

	private static int streamLength(RandomCase random) {
		// Uniform, so that most streams take several records, and the lengths at record boundaries.
		return random.random().nextBoolean() ? random.between(0, 200_000)
				: random.oneOf(0, 1, 65527, 65528, 65529, 65535, 65536, 2 * 65528, 2 * 65528 + 1);
	}

	/**
	 * Make sure the generators do reach streams longer than a record, the interesting case: at least 5% of the
	 * cases of each test, checked once they have all run.
	 */
	private static void requireSomeSamplesOfSeveralRecords(String test, boolean severalRecords) {
		int[] counts = coverage.computeIfAbsent(test, (key) -> new int[2]);
		synchronized (counts) {
			counts[0]++;
			counts[1] += severalRecords ? 1 : 0;
		}
	}

	@AfterAll
	static void checkCoverage() {
		coverage.forEach((test, counts) -> assertThat(counts[1] * 100 / counts[0])
			.as(test + ": cases with several records, in percent").isGreaterThanOrEqualTo(5));
	}

	/**
	 * Check the padding rule: a multiple of 8 whenever that fits in 65535 bytes.
	 */
	private static void assertPaddedWherePossible(TestRecord record) {
		int length = record.content().length;
		int padded = length + record.paddingLength();
		assertThat(padded).isLessThanOrEqualTo(65535);
		assertThat(padded % 8 == 0).as("padded to 8").isEqualTo(length <= 65528);
	}

	private static int recordSize(Random random) {
		return switch (random.nextInt(4)) {
			case 0 -> 65535;
			case 1 -> 1 + random.nextInt(16);
			default -> 1 + random.nextInt(65535);
		};
	}

	private static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

}
