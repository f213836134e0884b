package dev.lighttpdboot.gateway.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Finds and ends a spawned process together with the workers it forked.
 * <p>Descendants alone are not enough: php-cgi with {@code PHP_FCGI_CHILDREN} calls {@code setsid()}, and its
 * workers outlive a master that dies by SIGKILL, re-parented to init and still listening on the old socket, no
 * longer descendants of anything the JVM knows. They keep the master's process group, though, so the group is
 * searched too (Linux {@code /proc}; elsewhere only descendants are found). The group id of a dead master is safe
 * to search: the kernel does not reuse a process id while a group of that id has members.
 */
final class ProcessTree {

	private static final Path PROC = Path.of("/proc");

	private static final Duration KILL_WAIT = Duration.ofSeconds(2);

	private ProcessTree() {
	}

	/**
	 * The processes that belong to the tree of {@code root}: itself if it runs, its descendants, and the members of
	 * the process group it leads.
	 */
	static Set<ProcessHandle> members(ProcessHandle root) {
		Set<ProcessHandle> members = new LinkedHashSet<>();
		if (isRunning(root)) {
			members.add(root);
		}
		root.descendants().forEach(members::add);
		members.addAll(groupMembers(root.pid()));
		return members;
	}

	/**
	 * SIGTERM every process, wait up to {@code grace} for all to end, then SIGKILL the rest and wait for them
	 * briefly. Blocks: never call it on an event loop.
	 * @return the processes still running afterwards (none, unless the kernel is stuck)
	 */
	static List<ProcessHandle> terminate(Collection<ProcessHandle> processes, Duration grace) {
		processes.forEach(ProcessHandle::destroy);
		List<ProcessHandle> left = awaitEnd(processes, grace);
		if (left.isEmpty()) {
			return left;
		}
		left.forEach(ProcessHandle::destroyForcibly);
		return awaitEnd(left, KILL_WAIT);
	}

	/** SIGKILL every process, without waiting. */
	static void kill(Collection<ProcessHandle> processes) {
		processes.forEach(ProcessHandle::destroyForcibly);
	}

	/**
	 * Whether {@code process} still runs. A zombie does not: a worker whose master is gone stays one until init
	 * reaps it, which some container init processes never do, yet {@link ProcessHandle#isAlive()} counts it.
	 */
	static boolean isRunning(ProcessHandle process) {
		if (!process.isAlive()) {
			return false;
		}
		String[] stat = stat(process.pid());
		return stat == null || !stat[0].equals("Z");
	}

	private static List<ProcessHandle> awaitEnd(Collection<ProcessHandle> processes, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		long pause = 5;
		while (true) {
			List<ProcessHandle> running = processes.stream().filter(ProcessTree::isRunning).toList();
			if (running.isEmpty() || System.nanoTime() - deadline >= 0) {
				return running;
			}
			// Polling rather than onExit(): for a process that is not the JVM's child the JDK polls as well, and
			// it never completes for a zombie.
			try {
				Thread.sleep(pause);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return running;
			}
			pause = Math.min(pause * 2, 100);
		}
	}

	private static List<ProcessHandle> groupMembers(long groupId) {
		if (!Files.isDirectory(PROC)) {
			return List.of();
		}
		long self = ProcessHandle.current().pid();
		List<ProcessHandle> members = new ArrayList<>();
		ProcessHandle.allProcesses().forEach((process) -> {
			if (process.pid() != self && process.pid() != groupId) {
				String[] stat = stat(process.pid());
				if (stat != null && stat[2].equals(Long.toString(groupId)) && !stat[0].equals("Z")) {
					members.add(process);
				}
			}
		});
		return members;
	}

	/** The fields of {@code /proc/<pid>/stat} after the command: state, ppid, pgrp, ...; null if unreadable. */
	private static String @Nullable [] stat(long pid) {
		try {
			String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
			// "pid (command) state ppid pgrp ...": the command may hold spaces and parentheses.
			return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

}
