package io.mlqueue.model.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Gathers items into batches: a batch is handed on when it holds {@code maxRows} rows, or {@code
 * maxWait} after its first item arrived, whichever comes first. So under load a worker predicts many
 * rows per call, and a lone request waits at most {@code maxWait}.
 *
 * <p>Thread-safe. The flush runs on the thread that completed the batch, or on the timer thread.
 *
 * @param <T> an item; {@code rowsOf} says how many rows it carries
 */
final class MicroBatcher<T> {
  /** Rows per batch and longest wait. */
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
  private final ScheduledExecutorService timer;
  private List<T> batch = new ArrayList<>();
  private int rows;
  private long generation; // which batch a timer was set for
  private ScheduledFuture<?> pendingTimer;

  MicroBatcher(
      Limits limits, RowCount<T> rowCount, Consumer<List<T>> flush, ScheduledExecutorService timer) {
    this.limits = limits;
    this.rowCount = rowCount;
    this.flush = flush;
    this.timer = timer;
  }

  void add(T item) {
    List<T> full = null;
    synchronized (this) {
      batch.add(item);
      rows += rowCount.rowsOf(item);
      if (rows >= limits.maxRows() || limits.maxWait().isZero()) {
        full = take();
      } else if (batch.size() == 1) {
        long mine = generation;
        pendingTimer =
            timer.schedule(() -> flushIfStill(mine), limits.maxWait().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    if (full != null) {
      flush.accept(full); // outside the lock: the next batch can fill meanwhile
    }
  }

  private void flushIfStill(long scheduledFor) {
    List<T> due;
    synchronized (this) {
      if (generation != scheduledFor || batch.isEmpty()) {
        return; // that batch was flushed full already
      }
      due = take();
    }
    flush.accept(due);
  }

  /** Hands on whatever is waiting now; for shutdown. */
  void flushNow() {
    List<T> due;
    synchronized (this) {
      if (batch.isEmpty()) {
        return;
      }
      due = take();
    }
    flush.accept(due);
  }

  private List<T> take() {
    List<T> taken = batch;
    batch = new ArrayList<>();
    rows = 0;
    generation++;
    if (pendingTimer != null) {
      pendingTimer.cancel(false);
      pendingTimer = null;
    }
    return taken;
  }
}
