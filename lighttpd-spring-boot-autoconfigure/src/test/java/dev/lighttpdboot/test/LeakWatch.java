package dev.lighttpdboot.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Turns Netty's leak reports into test failures. Netty only logs a leaked buffer (when the garbage collector
 * finds it); this listener, registered for the whole test JVM before any Netty buffer class is loaded, installs
 * leak detectors that also record each report, and {@link #assertNoLeaks()} fails when there is one.
 * <p>Detection depends on garbage collection, so it can miss a leak, never invent one.
 */
public final class LeakWatch implements LauncherSessionListener {

	private static final List<String> leaks = new CopyOnWriteArrayList<>();

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
	}

	/**
	 * Collect garbage, let Netty report what it found, and fail if anything leaked since the last check (each
	 * leak fails one check only).
	 */
	public static void assertNoLeaks() {
		for (int i = 0; i < 3; i++) {
			System.gc();
			System.runFinalization();
			// Netty reports collected leaks when the next buffer is tracked.
			ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(1);
			probe.release();
		}
		if (!leaks.isEmpty()) {
			List<String> found = List.copyOf(leaks);
			leaks.clear();
			throw new AssertionError(found.size() + " Netty resource leak(s), the first:\n" + found.get(0));
		}
	}

	private static final class RecordingFactory extends ResourceLeakDetectorFactory {

		@Override
		@SuppressWarnings("deprecation")
		public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
				long maxActive) {
			ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval, maxActive);
			detector.setLeakListener((type, records) -> leaks.add(type + ": " + records));
			return detector;
		}

	}

}
