package dev.lighttpdboot.files;

import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;

/**
 * Chooses a response's Content-Type from a file name: configured mappings first, then Spring's
 * {@link MediaTypeFactory} (the {@code mime.types} table), else {@code application/octet-stream}. Textual types
 * without a charset get the configured one, as lighttpd's {@code mimetype.assign} does for {@code text/*}.
 */
public final class ContentTypes {

	private final Map<String, MediaType> byExtension;

	private final Charset textCharset;

	/**
	 * Create the resolver.
	 * @param extraMappings extension (with or without the leading dot, any case) to media type; these win
	 * @param textCharset charset added to textual types that have none
	 */
	public ContentTypes(Map<String, MediaType> extraMappings, Charset textCharset) {
		this.byExtension = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		extraMappings.forEach((extension, type) -> this.byExtension.put(stripDot(extension), type));
		this.textCharset = textCharset;
	}

	/**
	 * Return the media type for a file name.
	 */
	public MediaType forFileName(String fileName) {
		MediaType type = configured(fileName);
		if (type == null) {
			type = MediaTypeFactory.getMediaType(fileName).orElse(MediaType.APPLICATION_OCTET_STREAM);
		}
		if (type.getCharset() == null && isTextual(type)) {
			type = new MediaType(type, this.textCharset);
		}
		return type;
	}

	private @Nullable MediaType configured(String fileName) {
		int dot = fileName.lastIndexOf('.');
		return (dot >= 0) ? this.byExtension.get(fileName.substring(dot + 1)) : null;
	}

	private static boolean isTextual(MediaType type) {
		String subtype = type.getSubtype().toLowerCase(Locale.ROOT);
		return type.getType().equalsIgnoreCase("text") || subtype.endsWith("+xml") || subtype.endsWith("+json")
				|| subtype.equals("javascript") || subtype.equals("json") || subtype.equals("xml");
	}

	private static String stripDot(String extension) {
		return extension.startsWith(".") ? extension.substring(1) : extension;
	}

}
