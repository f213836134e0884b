package dev.lighttpdboot.config;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata that IDEs read covers every property of every {@code @ConfigurationProperties} class,
 * list items ({@code lighttpd.gateway.routes[].*}) included: each has a description, each list a default, each
 * enumerated value a hint naming every constant.
 */
class ConfigurationMetadataTests {

	private static final String BASE = "dev.lighttpdboot";

	private static Map<String, Map<String, Object>> properties;

	private static Map<String, List<String>> hints;

	@BeforeAll
	@SuppressWarnings("unchecked")
	static void readMetadata() throws IOException {
		String json;
		try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		Map<String, Object> metadata = JsonParserFactory.getJsonParser().parseMap(json);
		properties = new HashMap<>();
		for (Object property : (List<Object>) metadata.get("properties")) {
			Map<String, Object> entry = (Map<String, Object>) property;
			properties.put((String) entry.get("name"), entry);
		}
		hints = new HashMap<>();
		for (Object hint : (List<Object>) metadata.getOrDefault("hints", List.of())) {
			Map<String, Object> entry = (Map<String, Object>) hint;
			hints.put((String) entry.get("name"), ((List<Object>) entry.get("values")).stream()
				.map((value) -> (String) ((Map<String, Object>) value).get("value"))
				.toList());
		}
	}

	@Test
	void everyPropertyIsDescribedListsHaveDefaultsAndEnumsHaveHints() throws Exception {
		List<String> problems = new ArrayList<>();
		List<String> seen = new ArrayList<>();
		for (Class<?> type : configurationPropertiesClasses()) {
			String prefix = type.getAnnotation(ConfigurationProperties.class).value();
			walk(type, prefix + ".", problems, seen);
		}
		assertThat(seen).contains("lighttpd.gateway.routes[].balance", "lighttpd.gateway.routes[].backends[].address",
				"lighttpd.gateway.routes[].spawn.command", "lighttpd.access-log.format");
		assertThat(problems).isEmpty();
	}

	private static void walk(Class<?> type, String prefix, List<String> problems, List<String> seen) {
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			String name = prefix + kebab(descriptor.getName());
			ResolvableType propertyType = ResolvableType.forMethodReturnType(descriptor.getReadMethod());
			Class<?> raw = propertyType.resolve(Object.class);
			Class<?> element = Collection.class.isAssignableFrom(raw) ? propertyType.getGeneric(0).resolve(Object.class)
					: null;
			if (ours(raw) && !raw.isEnum()) {
				walk(raw, name + ".", problems, seen);
				continue;
			}
			seen.add(name);
			Map<String, Object> entry = properties.get(name);
			if (entry == null) {
				problems.add(name + ": no metadata");
				continue;
			}
			if (!(entry.get("description") instanceof String description) || description.isBlank()) {
				problems.add(name + ": no description");
			}
			if (element != null && !entry.containsKey("defaultValue")) {
				problems.add(name + ": a list without its default");
			}
			if (raw.isEnum()) {
				List<String> constants = Arrays.stream(raw.getEnumConstants())
					.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
					.toList();
				List<String> hinted = hints.getOrDefault(name, List.of());
				if (!hinted.containsAll(constants)) {
					problems.add(name + ": hints " + hinted + " do not name every value of " + constants);
				}
			}
			if (element != null && ours(element) && !element.isEnum()) {
				walk(element, name + "[].", problems, seen);
			}
		}
	}

	private static boolean ours(Class<?> type) {
		return type.getName().startsWith(BASE + ".");
	}

	private static String kebab(String name) {
		return name.chars()
			.mapToObj((c) -> Character.isUpperCase(c) ? "-" + Character.toLowerCase((char) c) : String.valueOf((char) c))
			.collect(Collectors.joining());
	}

	private static List<Class<?>> configurationPropertiesClasses() throws ClassNotFoundException {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		List<Class<?>> types = new ArrayList<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents(BASE)) {
			Class<?> type = ClassUtils.forName(candidate.getBeanClassName(), null);
			// Main classes only: a test's own properties are not the library's.
			if (type.getProtectionDomain().getCodeSource().getLocation().getPath().contains("test-classes")) {
				continue;
			}
			types.add(type);
		}
		assertThat(types).hasSizeGreaterThan(5);
		return types;
	}

}
