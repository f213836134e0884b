package dev.lighttpdboot.gateway.spawn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The program {@link SpawnShutdownHookTests} runs in a JVM of its own: it spawns two listeners with a worker each,
 * prints their directory and the pids of every process, and waits to be killed, without ever calling
 * {@link SpawnedBackends#stop()}.
 */
public final class SpawnShutdownHookMain {

	private SpawnShutdownHookMain() {
	}

	public static void main(String[] args) throws Exception {
		SpawnedBackends spawned = new SpawnedBackends("hook", SpawnSpec.of(UnixListener.command(1, false), 2));
		if (!spawned.start()) {
			throw new IllegalStateException("not ready");
		}
		List<Long> pids = new ArrayList<>();
		for (ProcessState state : spawned.states()) {
			ProcessHandle master = ProcessHandle.of(state.pid()).orElseThrow();
			pids.add(master.pid());
			master.descendants().forEach((worker) -> pids.add(worker.pid()));
		}
		System.out.println("directory " + spawned.directory());
		System.out.println("pids " + pids.stream().map(String::valueOf).collect(Collectors.joining(" ")));
		System.out.flush();
		new CountDownLatch(1).await();
	}

}
