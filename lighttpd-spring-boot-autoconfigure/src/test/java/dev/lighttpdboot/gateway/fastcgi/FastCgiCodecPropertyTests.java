package dev.lighttpdboot.gateway.fastcgi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.lighttpdboot.gateway.fastcgi.ReceivedParts.Piece;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Round trips through the codec and a parser written apart from it ({@link TestRecord}), which also checks that
 * every record the encoder writes is one php-fpm accepts.
 */
class FastCgiCodecPropertyTests {

	@Property(tries = 150)
	void paramsArriveRecordByRecordInOrder(@ForAll("params") List<Map.Entry<String, String>> params,
			@ForAll @IntRange(min = 1, max = 65535) int requestId) {
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
		requireSomeSamplesOfSeveralRecords(records.size() > 2);
	}

	@Property(tries = 100)
	void stdinArrivesInRecordsOfAtMost65528Bytes(@ForAll("streamLengths") int length,
			@ForAll @IntRange(max = 16) int offset, @ForAll long seed) {
		byte[] body = randomBytes(new Random(seed), length);
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
		requireSomeSamplesOfSeveralRecords(records.size() > 1);
	}

	@Property(tries = 100)
	void stdoutAndStderrSurviveAnyRecordSizesAndChunkBoundaries(@ForAll("streamLengths") int length,
			@ForAll Random random) {
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
		requireSomeSamplesOfSeveralRecords(stdout.length > 65535);
	}

	@Provide
	Arbitrary<List<Map.Entry<String, String>>> params() {
		Arbitrary<String> names = bytesAsChars().ofMinLength(1).ofMaxLength(300);
		// Mostly small values, as in real requests, and some large ones so that the set spans several records.
		Arbitrary<String> values = Arbitraries.frequencyOf(Tuple.of(4, bytesAsChars().ofMaxLength(300)),
				Tuple.of(1, Combinators.combine(Arbitraries.chars().range('\u0000', '\u00ff'),
						Arbitraries.integers().between(128, 65_000)).as((c, n) -> String.valueOf(c).repeat(n))));
		return Combinators.combine(names, values)
			.as(Map::entry)
			.list()
			.ofMaxSize(60)
			.uniqueElements(Map.Entry::getKey);
	}

	@Provide
	Arbitrary<Integer> streamLengths() {
		// Uniform, where jqwik would favour small numbers: most streams then take several records.
		Arbitrary<Integer> uniform = Arbitraries.integers()
			.between(0, 200_000)
			.withDistribution(RandomDistribution.uniform());
		return Arbitraries.oneOf(uniform, Arbitraries.of(0, 1, 65527, 65528, 65529, 65535, 65536, 2 * 65528, 2 * 65528 + 1));
	}

	private static StringArbitrary bytesAsChars() {
		return Arbitraries.strings().withCharRange('\u0000', '\u00ff');
	}

	/**
	 * Make sure the generators do reach streams longer than a record, the interesting case.
	 */
	private static void requireSomeSamplesOfSeveralRecords(boolean severalRecords) {
		Statistics.label("several records").collect(severalRecords);
		Statistics.label("several records").coverage((coverage) -> coverage.check(true).percentage((p) -> p >= 5));
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
