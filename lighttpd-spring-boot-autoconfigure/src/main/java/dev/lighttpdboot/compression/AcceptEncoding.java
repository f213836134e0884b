package dev.lighttpdboot.compression;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Chooses a content coding from a request's {@code Accept-Encoding} by RFC 9110 section 12.5.3: q-values count
 * ({@code q=0} refuses a coding), {@code *} stands for every coding not listed, the highest q wins, and ties go to
 * the server's order of preference. No header, or an empty one, gets the identity, as lighttpd and nginx answer.
 * The identity is never refused: a client that excludes it and accepts nothing available still gets the plain
 * file, as every common server sends it, rather than 406.
 */
public final class AcceptEncoding {

	private AcceptEncoding() {
	}

	/**
	 * Choose a coding.
	 * @param header the {@code Accept-Encoding} values, or {@code null}
	 * @param available the codings this server can produce, most preferred first
	 * @return the coding to apply, or {@code null} for the identity
	 */
	public static @Nullable ContentCoding choose(@Nullable List<String> header, List<ContentCoding> available) {
		if (header == null || header.isEmpty() || available.isEmpty()) {
			return null;
		}
		float[] q = new float[ContentCoding.values().length];
		boolean[] listed = new boolean[q.length];
		boolean[] exact = new boolean[q.length];
		float star = -1;
		for (String value : header) {
			for (String element : value.split(",")) {
				int semicolon = element.indexOf(';');
				String token = ((semicolon >= 0) ? element.substring(0, semicolon) : element).trim();
				if (token.isEmpty()) {
					continue;
				}
				float weight = (semicolon >= 0) ? weight(element.substring(semicolon + 1)) : 1f;
				if (token.equals("*")) {
					star = Math.max(star, weight);
					continue;
				}
				ContentCoding coding = ContentCoding.forToken(token);
				if (coding != null) {
					// "gzip" itself wins over its alias "x-gzip" when both are listed.
					boolean alias = !token.equalsIgnoreCase(coding.token());
					if (alias && exact[coding.ordinal()]) {
						continue;
					}
					q[coding.ordinal()] = weight;
					listed[coding.ordinal()] = true;
					exact[coding.ordinal()] |= !alias;
				}
			}
		}
		ContentCoding best = null;
		float bestWeight = 0;
		for (ContentCoding coding : available) {
			float weight = listed[coding.ordinal()] ? q[coding.ordinal()] : Math.max(star, 0);
			if (weight > bestWeight) {
				best = coding;
				bestWeight = weight;
			}
		}
		return best;
	}

	private static float weight(String parameters) {
		for (String parameter : parameters.split(";")) {
			String trimmed = parameter.trim();
			if (trimmed.length() > 1 && (trimmed.charAt(0) == 'q' || trimmed.charAt(0) == 'Q')) {
				String value = trimmed.substring(1).trim();
				if (!value.startsWith("=")) {
					continue;
				}
				try {
					float weight = Float.parseFloat(value.substring(1).trim());
					return (weight >= 0 && weight <= 1) ? weight : 0;
				}
				catch (NumberFormatException ex) {
					// A malformed weight refuses the coding rather than guessing.
					return 0;
				}
			}
		}
		return 1f;
	}

}
