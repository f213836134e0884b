package dev.lighttpdboot.staticfiles;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

import org.springframework.http.support.Netty4HeadersAdapter;

/**
 * The headers of one answer, written once and then added to every response that carries them: the headers of a
 * file's 200 depend on nothing but the file, so they need not be formatted, validated and hashed again for each
 * request. Names and values are kept as Netty's {@link AsciiString}s, which remember their hash codes and which the
 * HTTP encoder copies as they are.
 * <p>They are validated once, when written; a response built with {@link #UNCHECKED} headers receives them
 * without another check (and anything added later by another handler without one either).
 */
public final class PreparedHeaders {

	/** Headers for a response given prepared headers: those were validated when prepared. */
	static final HttpHeadersFactory UNCHECKED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

	private final AsciiString[] names;

	private final AsciiString[] values;

	private PreparedHeaders(AsciiString[] names, AsciiString[] values) {
		this.names = names;
		this.values = values;
	}

	/**
	 * Prepare the headers a writer sets, as Spring's {@link org.springframework.http.HttpHeaders} set them on a
	 * Netty response (validated by Netty as they are set).
	 * @param writer sets the headers
	 * @return the headers, in the order they were set
	 */
	static PreparedHeaders of(Consumer<org.springframework.http.HttpHeaders> writer) {
		HttpHeaders checked = DefaultHttpHeadersFactory.headersFactory().newHeaders();
		writer.accept(new org.springframework.http.HttpHeaders(new Netty4HeadersAdapter(checked)));
		List<AsciiString> names = new ArrayList<>(checked.size());
		List<AsciiString> values = new ArrayList<>(checked.size());
		Iterator<Map.Entry<CharSequence, CharSequence>> entries = checked.iteratorCharSequence();
		while (entries.hasNext()) {
			Map.Entry<CharSequence, CharSequence> header = entries.next();
			names.add(AsciiString.of(header.getKey()));
			values.add(AsciiString.of(header.getValue()));
		}
		return new PreparedHeaders(names.toArray(AsciiString[]::new), values.toArray(AsciiString[]::new));
	}

	/**
	 * Add these headers to a response's.
	 * @param headers the response's headers
	 */
	void addTo(HttpHeaders headers) {
		for (int i = 0; i < this.names.length; i++) {
			headers.add(this.names[i], this.values[i]);
		}
	}

}
