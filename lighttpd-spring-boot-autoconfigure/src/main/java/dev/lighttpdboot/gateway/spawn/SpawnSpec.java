package dev.lighttpdboot.gateway.spawn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run for a pool that starts its own backends (lighttpd's {@code bin-path}, {@code bin-environment} and
 * {@code max-procs}): a command, how many copies, and how eagerly to restart them.
 * <p>Unlike lighttpd, which binds the socket itself and hands it to the child as file descriptor 0, every process
 * binds its own Unix-domain socket, whose path replaces {@value #ADDRESS} in the command: a JVM cannot pass a
 * listening socket to a child. That is why the placeholder is required: a command without it would listen
 * somewhere the pool does not know and never count as ready. {@code php-cgi -b {address}} is the classic case;
 * set {@code PHP_FCGI_CHILDREN} in the environment to have each php-cgi fork that many workers (without it, one
 * php-cgi serves one request at a time), and know that a php-cgi exits after {@code PHP_FCGI_MAX_REQUESTS}
 * requests (500 by default) when it has no children, or replaces the worker when it has: the supervisor restarts
 * a php-cgi that exits either way.
 *
 * @param command the program and its arguments; {@value #ADDRESS} in any argument is replaced by the process's
 * socket path, e.g. {@code [php-cgi, -b, {address}]} or {@code [server, --listen=unix:{address}]}
 * @param processes how many processes to run, each on its own socket (at least 1)
 * @param environment variables added to the ones the JVM has (a value here wins)
 * @param minBackoff the wait before the first restart of a process that exited; it doubles with every exit that
 * follows a short run
 * @param maxBackoff the longest wait before a restart
 * @param readyTimeout how long a started process may take to accept connections on its socket before it is killed
 * and counted as a failed start
 */
public record SpawnSpec(List<String> command, int processes, Map<String, String> environment, Duration minBackoff,
		Duration maxBackoff, Duration readyTimeout) {

	/** The placeholder that the command must contain at least once. */
	public static final String ADDRESS = "{address}";

	/** The default {@link #minBackoff}: 100 ms. */
	public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(100);

	/** The default {@link #maxBackoff}: 30 s. */
	public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

	/** The default {@link #readyTimeout}: 10 s, ample for php-cgi, which listens within milliseconds. */
	public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * Check and copy the arguments.
	 * @throws IllegalArgumentException if the command is empty or lacks {@value #ADDRESS}, {@code processes} is
	 * below 1, or a duration is not positive or {@code maxBackoff} is below {@code minBackoff}
	 */
	public SpawnSpec {
		Objects.requireNonNull(command, "command");
		Objects.requireNonNull(environment, "environment");
		Objects.requireNonNull(minBackoff, "minBackoff");
		Objects.requireNonNull(maxBackoff, "maxBackoff");
		Objects.requireNonNull(readyTimeout, "readyTimeout");
		command = List.copyOf(command);
		if (command.isEmpty()) {
			throw new IllegalArgumentException("The spawn command is empty");
		}
		if (command.stream().noneMatch((argument) -> argument.contains(ADDRESS))) {
			throw new IllegalArgumentException("The spawn command " + command + " does not contain " + ADDRESS
					+ ": each process must be told the socket it listens on, e.g. [php-cgi, -b, " + ADDRESS + "]");
		}
		if (processes < 1) {
			throw new IllegalArgumentException("processes must be at least 1, not " + processes);
		}
		if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
			throw new IllegalArgumentException(
					"minBackoff must be positive and maxBackoff at least minBackoff, not " + minBackoff + " and "
							+ maxBackoff);
		}
		if (readyTimeout.isNegative() || readyTimeout.isZero()) {
			throw new IllegalArgumentException("readyTimeout must be positive, not " + readyTimeout);
		}
		Map<String, String> copy = new LinkedHashMap<>();
		environment.forEach((name, value) -> copy.put(Objects.requireNonNull(name, "environment name"),
				Objects.requireNonNull(value, () -> "environment value of " + name)));
		environment = Collections.unmodifiableMap(copy);
	}

	/**
	 * A spec with no extra environment and the default back-off and ready timeout.
	 */
	public static SpawnSpec of(List<String> command, int processes) {
		return new SpawnSpec(command, processes, Map.of(), DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF,
				DEFAULT_READY_TIMEOUT);
	}

	/** This spec with {@code environment} instead. */
	public SpawnSpec withEnvironment(Map<String, String> environment) {
		return new SpawnSpec(this.command, this.processes, environment, this.minBackoff, this.maxBackoff,
				this.readyTimeout);
	}

	/** This spec with another back-off. */
	public SpawnSpec withBackoff(Duration minBackoff, Duration maxBackoff) {
		return new SpawnSpec(this.command, this.processes, this.environment, minBackoff, maxBackoff,
				this.readyTimeout);
	}

	/** This spec with another ready timeout. */
	public SpawnSpec withReadyTimeout(Duration readyTimeout) {
		return new SpawnSpec(this.command, this.processes, this.environment, this.minBackoff, this.maxBackoff,
				readyTimeout);
	}

	/** The command line of the process that listens on {@code socket}. */
	List<String> commandFor(Path socket) {
		List<String> line = new ArrayList<>(this.command.size());
		for (String argument : this.command) {
			line.add(argument.replace(ADDRESS, socket.toString()));
		}
		return line;
	}

	/**
	 * The wait before a restart after {@code failures} short runs in a row (at least 1): {@link #minBackoff}
	 * doubled for each failure after the first, at most {@link #maxBackoff}.
	 */
	Duration backoff(int failures) {
		Duration delay = this.minBackoff;
		for (int i = 1; i < failures && delay.compareTo(this.maxBackoff) < 0; i++) {
			delay = delay.multipliedBy(2);
		}
		return (delay.compareTo(this.maxBackoff) > 0) ? this.maxBackoff : delay;
	}

}
