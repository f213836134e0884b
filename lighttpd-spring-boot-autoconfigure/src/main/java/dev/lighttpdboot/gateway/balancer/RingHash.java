package dev.lighttpdboot.gateway.balancer;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash that places keys and virtual nodes on a {@link HashBalancer}'s ring: the block mix and finaliser
 * of MurmurHash3 (x64) over the UTF-8 bytes of a string, one lane, fixed seed. Not the published 128-bit function,
 * and not for security; what matters is that every bit of the input moves about half the output bits, so that
 * similar paths ({@code /a/1}, {@code /a/2}) land far apart, and that the value never changes between runs,
 * machines or versions (unlike {@link String#hashCode()} it is spread, unlike a seeded hash it is reproducible).
 */
final class RingHash {

	private static final long SEED = 0x6c696768747470dL;

	private static final long C1 = 0x87c37b91114253d5L;

	private static final long C2 = 0x4cf5ad432745937fL;

	private RingHash() {
	}

	/**
	 * Hash the UTF-8 bytes of a string.
	 */
	static long hash(String value) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		long h = SEED;
		int blocks = bytes.length / 8;
		for (int block = 0; block < blocks; block++) {
			h ^= mixBlock(littleEndian(bytes, block * 8, 8));
			h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
		}
		int tail = bytes.length - blocks * 8;
		if (tail > 0) {
			h ^= mixBlock(littleEndian(bytes, blocks * 8, tail));
		}
		h ^= bytes.length;
		return finish(h);
	}

	private static long littleEndian(byte[] bytes, int offset, int length) {
		long value = 0;
		for (int i = length - 1; i >= 0; i--) {
			value = (value << 8) | (bytes[offset + i] & 0xff);
		}
		return value;
	}

	private static long mixBlock(long k) {
		return Long.rotateLeft(k * C1, 31) * C2;
	}

	private static long finish(long h) {
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb9fe1a85ec53L;
		h ^= h >>> 33;
		return h;
	}

}
