package dev.lighttpdboot.gateway.ajp13;

import org.jspecify.annotations.Nullable;

/**
 * What a route sets for AJP13 beyond the limits every protocol has.
 *
 * @param secret the shared secret Tomcat's connector requires ({@code secret} with {@code secretRequired}), sent
 * with every request, or {@code null} to send none; never logged
 * @param packetSize the largest packet either side sends, header included: Tomcat's {@code packetSize}, which
 * must be the same (8192 unless raised, at most 65536)
 */
public record Ajp13Settings(@Nullable String secret, int packetSize) {

	/** No secret, packets of 8 KiB. */
	public static final Ajp13Settings DEFAULTS = new Ajp13Settings(null, Ajp13.DEFAULT_PACKET_SIZE);

	public Ajp13Settings {
		if (packetSize < Ajp13.DEFAULT_PACKET_SIZE || packetSize > Ajp13.MAX_PACKET_SIZE) {
			throw new IllegalArgumentException("the AJP13 packet size must be between " + Ajp13.DEFAULT_PACKET_SIZE
					+ " and " + Ajp13.MAX_PACKET_SIZE + " bytes, as Tomcat's packetSize");
		}
		if (secret != null && secret.isEmpty()) {
			secret = null;
		}
	}

	/**
	 * Return the most request body bytes one data packet carries: the packet less its header and the inner length.
	 */
	int maxBodyChunk() {
		return this.packetSize - Ajp13.HEADER_LENGTH - 2;
	}

	@Override
	public String toString() {
		// The secret is a credential: it appears in no log line, not even through this record.
		return "Ajp13Settings[secret=" + ((this.secret != null) ? "(set)" : "(none)") + ", packetSize="
				+ this.packetSize + "]";
	}

}
