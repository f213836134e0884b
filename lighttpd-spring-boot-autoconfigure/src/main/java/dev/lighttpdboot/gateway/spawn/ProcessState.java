package dev.lighttpdboot.gateway.spawn;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one supervised process, for the actuator endpoint and metrics.
 *
 * @param index the process's position in the pool, from 0, the same as in {@link SpawnedBackends#addresses()}
 * @param address its backend address, {@code unix:/path}
 * @param pid the operating system's id of the current process, or -1 while none runs
 * @param running whether a process runs (it may not accept connections yet)
 * @param ready whether it accepts connections, i.e. its backend is up
 * @param restarts how often it was started again after an exit or a failed start
 * @param lastExitCode the exit code of the last process that ended (128 + signal for one killed by a signal), or
 * -1 if none has ended
 * @param startedAt when the current (or last) process started, or {@code null} if none has
 */
public record ProcessState(int index, String address, long pid, boolean running, boolean ready, int restarts,
		int lastExitCode, @Nullable Instant startedAt) {
}
