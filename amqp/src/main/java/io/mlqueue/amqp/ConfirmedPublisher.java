package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes on a channel in confirm mode and reports each message's fate to its {@link Outcome}:
 * exactly once, confirmed or failed. Confirms are asynchronous, so a publisher never waits for the
 * broker between two messages; the bound on what is in flight is the caller's (a consumer's
 * prefetch, or a producer's window).
 *
 * <p>With a {@link MessageTracer} on, each publish has its producer span and carries its context in
 * the message headers; off, the message goes out exactly as given.
 *
 * <p>When the channel goes down, every message still waiting for its confirm is failed: the broker
 * may or may not have it, and the new channel after recovery numbers its confirms from scratch.
 */
public final class ConfirmedPublisher {
  private static final String REFUSED = "the broker refused the message (basic.nack)";

  private static final Logger log = LoggerFactory.getLogger(ConfirmedPublisher.class);

  private final Channel channel;
  private final MessageTracer tracer;
  private final ConcurrentNavigableMap<Long, Outcome> pending = new ConcurrentSkipListMap<>();
  // Per queue: the refusals since its last confirm (or since the channel was taken), and when that
  // was. Per queue, because one channel was seen refused on one queue and confirmed on another.
  private final Map<String, Streak> streaks = new ConcurrentHashMap<>();

  /** One queue's refusals since its last confirm on this channel. */
  private static final class Streak {
    final AtomicLong refused = new AtomicLong();
    volatile long lastConfirmNanos = System.nanoTime();

    /** {@code outcome}, counted into this streak on its way. */
    Outcome track(Outcome outcome) {
      return new Outcome() {
        @Override
        public void confirmed() {
          lastConfirmNanos = System.nanoTime();
          refused.set(0);
          outcome.confirmed();
        }

        @Override
        public void failed(String reason) {
          if (REFUSED.equals(reason)) {
            refused.incrementAndGet();
          }
          outcome.failed(reason);
        }
      };
    }
  }

  /** Puts {@code channel} into confirm mode; all publishes on it must go through this object. */
  public ConfirmedPublisher(Channel channel) throws IOException {
    this(channel, MessageTracer.OFF);
  }

  /** As {@link #ConfirmedPublisher(Channel)}, tracing each publish with {@code tracer}. */
  public ConfirmedPublisher(Channel channel, MessageTracer tracer) throws IOException {
    this.channel = channel;
    this.tracer = tracer;
    channel.confirmSelect();
    channel.addConfirmListener(this::confirmed, this::refused);
    channel.addShutdownListener(this::channelDown);
  }

  /**
   * Publishes {@code body} to {@code queue} on the default exchange. Never throws for a broker or
   * connection problem: those reach {@code outcome.failed}, possibly before this method returns.
   */
  public void publish(String queue, AMQP.BasicProperties properties, byte[] body, Outcome outcome) {
    if (tracer.enabled()) {
      publish(
          queue,
          properties,
          body,
          outcome,
          tracer.startPublish(queue, false, Context.current(), null, 1));
    } else {
      send(queue, properties, body, outcome);
    }
  }

  /**
   * As {@link #publish(String, AMQP.BasicProperties, byte[], Outcome)}, as {@code span}, a producer
   * span of {@link #tracer()} (or {@link Span#getInvalid()}): its context goes into the message's
   * headers, and it ends once the message is handed to the client.
   */
  public void publish(
      String queue, AMQP.BasicProperties properties, byte[] body, Outcome outcome, Span span) {
    try {
      send(queue, tracer.inject(span, properties), body, outcome);
    } finally {
      span.end(); // the span covers the hand-over to the client, not the wait for the confirm
    }
  }

  private void send(String queue, AMQP.BasicProperties properties, byte[] body, Outcome outcome) {
    // Sequence number and publish must not interleave with another thread's publish on this
    // channel.
    synchronized (this) {
      long seq = channel.getNextPublishSeqNo();
      Outcome tracked = streaks.computeIfAbsent(queue, q -> new Streak()).track(outcome);
      pending.put(seq, tracked);
      try {
        channel.basicPublish("", queue, properties, body);
      } catch (IOException | ShutdownSignalException e) {
        // The shutdown listener may have failed it already: whoever removes the entry reports it.
        if (pending.remove(seq, tracked)) {
          tracked.failed("publish failed: " + e.getMessage());
        }
      }
    }
  }

  /** What traces the publishes: {@link MessageTracer#OFF} unless given. */
  public MessageTracer tracer() {
    return tracer;
  }

  /** Messages published and not yet confirmed or failed. */
  public int pending() {
    return pending.size();
  }

  public boolean isOpen() {
    return channel.isOpen();
  }

  /** Waits until every message published so far has its answer; false if {@code timeout} passed. */
  public boolean awaitPending(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(2);
    }
    return true;
  }

  private void confirmed(long seq, boolean multiple) {
    settle(seq, multiple, null);
  }

  private void refused(long seq, boolean multiple) {
    settle(seq, multiple, REFUSED);
  }

  /**
   * Whether the broker has refused messages to a queue on this channel and confirmed none to it for
   * at least {@code period}: a channel to replace. On RabbitMQ 3.10 a channel whose first publish
   * to a quorum queue came while the queue's leadership moved was nacked on every publish from then
   * on, while other channels to the same queue had theirs confirmed; a new channel starts afresh.
   */
  public boolean onlyRefusedFor(Duration period) {
    return refusedSinceConfirm(period) > 0 && channel.isOpen();
  }

  /**
   * The refusals since its last confirm of the queue the broker has refused for at least {@code
   * period} and confirmed nothing; 0 when there is none.
   */
  public long refusedSinceConfirm(Duration period) {
    long now = System.nanoTime();
    long most = 0;
    for (Streak s : streaks.values()) {
      long refused = s.refused.get();
      if (refused > 0 && now - s.lastConfirmNanos >= period.toNanos()) {
        most = Math.max(most, refused);
      }
    }
    return most;
  }

  private void settle(long seq, boolean multiple, String failure) {
    // One confirm frame may settle many inputs: their acks go out as one frame when it is done.
    try (DeliveryAcks.Scope batch = DeliveryAcks.batch()) {
      settleAll(seq, multiple, failure);
    }
  }

  private void settleAll(long seq, boolean multiple, String failure) {
    if (multiple) {
      Map.Entry<Long, Outcome> e;
      while ((e = pending.firstEntry()) != null && e.getKey() <= seq) {
        if (pending.remove(e.getKey(), e.getValue())) {
          report(e.getValue(), failure);
        }
      }
    } else {
      Outcome outcome = pending.remove(seq);
      if (outcome != null) {
        report(outcome, failure);
      }
    }
  }

  private static void report(Outcome outcome, String failure) {
    try {
      if (failure == null) {
        outcome.confirmed();
      } else {
        outcome.failed(failure);
      }
    } catch (RuntimeException e) {
      log.error("publish outcome callback failed", e);
    }
  }

  private void channelDown(ShutdownSignalException cause) {
    int failed = 0;
    Map.Entry<Long, Outcome> e;
    while ((e = pending.pollFirstEntry()) != null) {
      report(e.getValue(), "channel closed before the broker confirmed: " + cause.getMessage());
      failed++;
    }
    if (failed > 0) {
      log.warn("channel closed with {} unconfirmed publishes; they are reported as failed", failed);
    }
  }
}
