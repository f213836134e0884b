package dev.lighttpdboot.files.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;

import dev.lighttpdboot.files.FileRoot;
import dev.lighttpdboot.files.HiddenFiles;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Opens a configured directory as a {@link FileRoot}, or stops the start-up with a message naming the property:
 * the one way every feature turns a directory of its configuration into a root.
 */
public final class ConfiguredRoot {

	private ConfiguredRoot() {
	}

	/**
	 * Open a configured directory.
	 * @param property the property that names it, for the message
	 * @param directory the directory, or {@code null} if the property is not set
	 * @param hiddenFiles whether hidden files below the root may be served
	 * @param purpose what the directory is for, completing "it must be set to ..." when it is missing
	 * @return the root
	 * @throws InvalidConfigurationPropertyValueException if the directory is not set or cannot be opened
	 */
	public static FileRoot open(String property, @Nullable Path directory, HiddenFiles hiddenFiles, String purpose) {
		if (directory == null || directory.toString().isEmpty()) {
			throw new InvalidConfigurationPropertyValueException(property, directory, "it must be set to " + purpose);
		}
		try {
			return FileRoot.open(directory, hiddenFiles == HiddenFiles.ALLOWED);
		}
		catch (IOException ex) {
			throw new InvalidConfigurationPropertyValueException(property, directory,
					"it must name an existing, readable directory (" + ex.getClass().getSimpleName() + ")");
		}
	}

}
