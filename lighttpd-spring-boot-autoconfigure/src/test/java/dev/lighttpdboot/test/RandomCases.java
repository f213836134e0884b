package dev.lighttpdboot.test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeded random cases for JUnit's parameterized tests: {@code @ParameterizedTest(name = "{0}")} with a
 * {@code @MethodSource} returning {@code RandomCases.of(1000)} runs a test a thousand times, each with a
 * {@link RandomCase} of its own seed. Seeds are consecutive and the first is printed; a case is named by its seed
 * (IDEs show it), and Maven's report names case {@code [n]}, whose seed is the printed one plus {@code n - 1}. A
 * failure is reproduced by running again with {@code -Dlighttpd.test.seed=<seed>}: the first case then has exactly
 * that seed.
 */
public final class RandomCases {

	/** The system property that fixes the seed of the first case. */
	public static final String SEED_PROPERTY = "lighttpd.test.seed";

	private RandomCases() {
	}

	/**
	 * Return {@code tries} cases with consecutive seeds, from {@link #SEED_PROPERTY} or else a fresh random seed.
	 */
	public static Stream<RandomCase> of(int tries) {
		String fixed = System.getProperty(SEED_PROPERTY);
		long first = (fixed != null) ? Long.parseLong(fixed.trim()) : new SecureRandom().nextLong();
		StackWalker.StackFrame caller = StackWalker.getInstance()
			.walk((frames) -> frames.skip(1).findFirst().orElseThrow());
		System.out.println(caller.getClassName() + "." + caller.getMethodName() + ": " + tries
				+ " random cases from -D" + SEED_PROPERTY + "=" + first);
		return LongStream.range(0, tries).mapToObj((i) -> new RandomCase(first + i));
	}

	/**
	 * One case: a seed and the random numbers it gives.
	 */
	public static final class RandomCase {

		private final long seed;

		private final Random random;

		RandomCase(long seed) {
			this.seed = seed;
			this.random = new Random(seed);
		}

		/**
		 * Return the random numbers of this case.
		 */
		public Random random() {
			return this.random;
		}

		/**
		 * Return a random element of {@code choices}.
		 */
		@SafeVarargs
		public final <T> T oneOf(T... choices) {
			return choices[this.random.nextInt(choices.length)];
		}

		/**
		 * Return a random element of {@code choices}.
		 */
		public <T> T oneOf(List<T> choices) {
			return choices.get(this.random.nextInt(choices.size()));
		}

		/**
		 * Return a random int from {@code min} to {@code max}, both included.
		 */
		public int between(int min, int max) {
			return min + this.random.nextInt(max - min + 1);
		}

		/**
		 * Return a string of up to {@code maxLength} characters, each from {@code min} to {@code max}.
		 */
		public String string(char min, char max, int maxLength) {
			int length = between(0, maxLength);
			StringBuilder text = new StringBuilder(length);
			for (int i = 0; i < length; i++) {
				text.append((char) between(min, max));
			}
			return text.toString();
		}

		/**
		 * Return a list of up to {@code maxSize} elements, each made by {@code element}.
		 */
		public <T> List<T> list(int maxSize, Function<RandomCase, T> element) {
			return list(0, maxSize, element);
		}

		/**
		 * Return a list of {@code minSize} to {@code maxSize} elements, each made by {@code element}.
		 */
		public <T> List<T> list(int minSize, int maxSize, Function<RandomCase, T> element) {
			int size = between(minSize, maxSize);
			List<T> list = new ArrayList<>(size);
			for (int i = 0; i < size; i++) {
				list.add(element.apply(this));
			}
			return list;
		}

		/**
		 * Return {@code minLength} to {@code maxLength} random bytes.
		 */
		public byte[] bytes(int minLength, int maxLength) {
			byte[] bytes = new byte[between(minLength, maxLength)];
			this.random.nextBytes(bytes);
			return bytes;
		}

		@Override
		public String toString() {
			return "-D" + SEED_PROPERTY + "=" + this.seed;
		}

	}

}
