package dev.lighttpdboot.files;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;

/**
 * The bounded scheduler on which every blocking file-system call of this project runs ({@code stat},
 * {@code realpath}, {@code open}, directory reads), so that event-loop threads never wait for a disk.
 * <p>Bounded twice: a maximum number of threads, and a maximum number of queued tasks beyond which work is
 * rejected instead of piling up.
 */
public final class FileSystemScheduler implements Disposable {

	private final Scheduler scheduler;

	/**
	 * Create a scheduler with its own threads, named {@code lighttpd-fs-N}.
	 * @param threads the maximum number of threads
	 * @param queuedTasks the maximum number of tasks waiting on each thread
	 */
	public FileSystemScheduler(int threads, int queuedTasks) {
		this(Schedulers.newBoundedElastic(threads, queuedTasks, "lighttpd-fs", 60, true));
	}

	/**
	 * Use an existing scheduler, which must allow blocking calls.
	 */
	public FileSystemScheduler(Scheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Run a blocking call on this scheduler. A {@code null} result completes the {@link Mono} empty. When every
	 * thread is busy and the queues are full, the call fails with 503 instead of waiting.
	 */
	public <T> Mono<T> call(Callable<T> blockingCall) {
		return Mono.fromCallable(blockingCall)
			.subscribeOn(this.scheduler)
			.onErrorMap(RejectedExecutionException.class, (ex) -> new ResponseStatusException(
					HttpStatus.SERVICE_UNAVAILABLE, "file-system scheduler is saturated", ex));
	}

	/**
	 * Return the underlying scheduler, for operators such as {@code subscribeOn}.
	 */
	public Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public void dispose() {
		this.scheduler.dispose();
	}

	@Override
	public boolean isDisposed() {
		return this.scheduler.isDisposed();
	}

}
