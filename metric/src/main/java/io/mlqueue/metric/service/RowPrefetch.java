package io.mlqueue.metric.service;

import io.mlqueue.amqp.QueueConsumer;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metric's prefetch on one queue, counted in rows rather than messages. Every half waiting for its
 * partner is an unacked delivery, so the prefetch is what bounds the halves held in memory; a bulk
 * message of K rows holds K of them. With a prefetch of {@code --max-pending + 1} messages, a
 * backlog of 100-row messages put two million rows in metric's heap at once (and a capped heap ran
 * out). So the consumer starts at one message, learns K from the first, and holds {@code maxPending
 * / K + 1} messages from then on: the same bound in rows for single-row and bulk streams. A larger
 * message later lowers it again; it never rises (a stream that mixes sizes is bounded by its
 * largest).
 */
final class RowPrefetch {
  private static final Logger log = LoggerFactory.getLogger(RowPrefetch.class);

  /** The prefetch before the first message says how many rows a message carries. */
  static final int FIRST = 1;

  private final QueueConsumer consumer;
  private final String queue;
  private final int maxPending;
  private final Executor executor;
  // The queue's delivery thread only: a channel's deliveries are handled one at a time.
  private int largestRows;
  private int applied = FIRST; // the executor's thread only

  /**
   * @param executor where the change is made: it waits for the broker, so not on the delivery
   *     thread
   */
  RowPrefetch(QueueConsumer consumer, String queue, int maxPending, Executor executor) {
    this.consumer = consumer;
    this.queue = queue;
    this.maxPending = maxPending;
    this.executor = executor;
  }

  /**
   * The prefetch, in messages, that holds at most about {@code maxPending} rows of {@code rows}.
   */
  static int messagesFor(int maxPending, int rows) {
    return (int) Math.min(65_535, maxPending / Math.max(1, rows) + 1L);
  }

  /** Told the rows of each message taken from the queue, on its delivery thread. */
  void seen(int rows) {
    if (rows <= largestRows) {
      return;
    }
    largestRows = rows;
    int target = messagesFor(maxPending, rows);
    executor.execute(() -> apply(target, rows));
  }

  private void apply(int target, int rows) {
    if (target == applied) {
      return;
    }
    try {
      consumer.prefetch(queue, target);
      applied = target;
      log.info(
          "metric: {} messages carry up to {} row{}: holding at most {} of them unacked"
              + " (--max-pending {} rows)",
          queue,
          rows,
          rows == 1 ? "" : "s",
          target,
          maxPending);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "metric: could not change the prefetch of {} to {} messages: {}; it stays {}",
          queue,
          target,
          e.getMessage(),
          applied);
    }
  }
}
