package io.mlqueue.model.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers calls into batches on a thread of its own: it takes the first call waiting, everything
 * else already waiting until the batch holds {@code maxRows} rows, and if that is fewer rows it
 * waits at most {@code maxWait} for more; then it hands the batch on. A call is never split, so the
 * last one taken may carry a batch past {@code maxRows}. While it predicts one batch the next one
 * fills, so under load batches grow by themselves, and a lone call waits at most {@code maxWait}
 * (nothing with {@code maxWait} zero).
 *
 * <p>A batch whose flush throws — an exception or an {@link Error} (a native runtime that cannot
 * load, say) — goes to {@code failed} at once, so its calls are answered instead of waiting out
 * their callers' timeouts; the thread goes on with the next batch.
 *
 * @param <T> a call; {@code rowsOf} says how many rows it carries
 */
final class MicroBatcher<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);

  /** Rows per batch and longest wait for more. */
  record Limits(int maxRows, Duration maxWait) {
    Limits {
      if (maxRows < 1) {
        throw new IllegalArgumentException("--batch-size must be at least 1, was " + maxRows);
      }
      if (maxWait.isNegative()) {
        throw new IllegalArgumentException("--batch-wait must not be negative, was " + maxWait);
      }
    }
  }

  interface RowCount<T> {
    int rowsOf(T item);
  }

  private final Limits limits;
  private final RowCount<T> rowCount;
  private final Consumer<List<T>> flush;
  private final BiConsumer<List<T>, Throwable> failed;
  private final LinkedBlockingQueue<T> waiting = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closing;

  /**
   * @param flush predicts and answers one batch
   * @param failed answers the calls of a batch whose flush threw, with the reason
   */
  MicroBatcher(
      Limits limits,
      RowCount<T> rowCount,
      Consumer<List<T>> flush,
      BiConsumer<List<T>, Throwable> failed,
      String name) {
    this.limits = limits;
    this.rowCount = rowCount;
    this.flush = flush;
    this.failed = failed;
    this.thread = Thread.ofPlatform().daemon().name(name).start(this::run);
  }

  /** Queues a call; the batching thread takes it from there. */
  void add(T item) {
    waiting.add(item);
  }

  private void run() {
    List<T> batch = new ArrayList<>();
    while (!closing || !waiting.isEmpty()) {
      try {
        T first = waiting.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        int rows = rowCount.rowsOf(first);
        long deadline = System.nanoTime() + limits.maxWait().toNanos();
        while (rows < limits.maxRows()) {
          T next = waiting.peek() != null ? waiting.poll() : waitForMore(deadline);
          if (next == null) {
            break;
          }
          batch.add(next);
          rows += rowCount.rowsOf(next);
        }
        flush.accept(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | Error e) {
        // Not only exceptions: an Error here would end the only thread that answers calls.
        log.error(
            "model: a batch of {} calls failed; answering them with the reason", batch.size(), e);
        fail(batch, e);
      } finally {
        batch = new ArrayList<>();
      }
    }
  }

  private void fail(List<T> batch, Throwable cause) {
    try {
      failed.accept(batch, cause);
    } catch (RuntimeException e) {
      log.error(
          "model: answering a failed batch of {} calls failed too; their channel's close"
              + " requeues them",
          batch.size(),
          e);
    }
  }

  private T waitForMore(long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    return left <= 0 ? null : waiting.poll(left, TimeUnit.NANOSECONDS);
  }

  /** Hands on what is queued, then stops the thread; waits at most {@code drain}. */
  void close(Duration drain) throws InterruptedException {
    closing = true;
    thread.join(drain.toMillis());
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(5));
  }
}
