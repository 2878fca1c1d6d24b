package io.mlqueue.features;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.ConfirmedPublisher;
import io.mlqueue.amqp.MessageTracer;
import io.mlqueue.amqp.Messages;
import io.mlqueue.amqp.Outcome;
import io.mlqueue.amqp.StartupRetry;
import io.mlqueue.amqp.Topology;
import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.contract.WireFormat;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a data set: for each drawn row, its feature vector to {@code features} and its true
 * answer to {@code y_true}, both under one fresh id, persistent and confirmed. A message the broker
 * did not confirm (refused, or the connection dropped) is sent again; {@code metric} drops the
 * duplicate that this can make, so nothing sent is lost.
 *
 * <p>Traced ({@link AmqpSettings#tracer()}), each pair (or bulk message's rows) is one trace: a
 * root span {@code send pair} with the two publishes, {@code publish y_true} and {@code publish
 * features}, as its children; a resend is published in the same trace.
 */
public final class FeaturesService {
  private static final Logger log = LoggerFactory.getLogger(FeaturesService.class);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  /**
   * How far behind its schedule features may fall and still catch up: short hiccups (a GC pause, a
   * slow confirm) are made good so the rate holds, a long outage is not replayed as a burst.
   */
  private static final long CATCH_UP_LIMIT_NANOS = Duration.ofSeconds(1).toNanos();

  /** Told about each pair as it is handed to the broker; for tests and audits. */
  @FunctionalInterface
  public interface Listener {
    Listener NO_OP = (id, row) -> {};

    void sent(MessageId id, int row);
  }

  private final FeaturesConfig config;
  private final AmqpSettings settings;
  private final Connection connection;
  private final Clock clock;
  private final Listener listener;
  private final MessageCodec codec;
  private final AMQP.BasicProperties properties;
  private final ConcurrentLinkedQueue<Pending> retries = new ConcurrentLinkedQueue<>();
  private final Semaphore window;
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong resent = new AtomicLong();
  // Why the broker did not take messages, said at most once per PROGRESS_EVERY (confirm threads).
  private final AtomicLong refusedSinceReport = new AtomicLong();
  private final AtomicLong lastRefusalReport = new AtomicLong(Long.MIN_VALUE);
  private volatile boolean stopping;

  /**
   * How long a channel may have every message refused, and none confirmed, before it is replaced.
   */
  static final Duration REFUSING_CHANNEL = Duration.ofSeconds(10);

  private Channel channel; // run()'s thread only
  private final AtomicLong replacedChannels = new AtomicLong();
  private static final long MAX_RESEND_BACKOFF_MILLIS = 2_000;
  private long resendBackoffMillis; // run()'s thread only
  private long pairsSent;

  /**
   * A message to send, and again if the broker does not confirm it.
   *
   * @param trace the pair's trace to publish it in; null when not traced
   * @param messageId its (first row's) id, for its span; null when not traced
   * @param rows the rows it carries
   */
  private record Pending(String queue, byte[] body, Context trace, String messageId, int rows) {}

  public FeaturesService(
      FeaturesConfig config,
      AmqpSettings settings,
      Connection connection,
      Clock clock,
      Listener listener) {
    this.config = config;
    this.settings = settings;
    this.connection = connection;
    this.clock = clock;
    this.listener = listener;
    this.window = new Semaphore(config.window());
    this.codec = new MessageCodec(MessageCodec.DEFAULT_MAX_BYTES, config.encoding());
    this.properties = Messages.persistent(config.encoding());
  }

  /**
   * Sends until {@code count} pairs are out or {@link #stop()} is called, then waits up to {@code
   * drain} for the broker to confirm the rest. Returns the pairs sent.
   */
  public long run(Duration drain) throws IOException, InterruptedException {
    channel = open();
    try {
      ConfirmedPublisher publisher = new ConfirmedPublisher(channel, settings.tracer());
      log.info(
          "features: sending {} from {} ({} rows), {}{}{}",
          config.count() == 0 ? "pairs until stopped" : config.count() + " pairs",
          config.data().name(),
          config.data().size(),
          config.pace(),
          config.bulk() ? ", " + config.batch() + " rows per message (bulk)" : "",
          config.encoding() == WireFormat.JSON ? "" : ", in " + config.encoding().displayName());
      if (!config.shifts().isEmpty()) {
        log.info("features: shifting {}", config.shifts());
      }
      publisher = send(publisher);
      drain(publisher, drain);
    } finally {
      closeQuietly(channel);
    }
    log.info(
        "features: done, {} pairs sent, {} messages confirmed, {} resent",
        pairsSent,
        confirmed.get(),
        resent.get());
    return pairsSent;
  }

  /** Sends every pair; returns the publisher it ended with (a refusing channel is replaced). */
  private ConfirmedPublisher send(ConfirmedPublisher publisher)
      throws IOException, InterruptedException {
    SplittableRandom random =
        config.seed().isPresent()
            ? new SplittableRandom(config.seed().getAsLong())
            : new SplittableRandom();
    long interval = config.pace().interval().toNanos();
    long next = System.nanoTime();
    long lastReport = next;
    while (!stopping && (config.count() == 0 || pairsSent < config.count())) {
      publisher = replaceIfRefusing(publisher);
      resendFailed(publisher);
      int rows =
          (int)
              (config.count() == 0
                  ? config.batch()
                  : Math.min(config.batch(), config.count() - pairsSent));
      if (interval > 0) {
        next += interval * rows;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
          if (stopping) {
            break;
          }
        } else if (wait < -Math.max(interval * rows * 10, CATCH_UP_LIMIT_NANOS)) {
          next = System.nanoTime(); // fell far behind (broker down): do not burst to catch up
        }
      }
      sendRows(publisher, random, rows);
      if (System.nanoTime() - lastReport > PROGRESS_EVERY.toNanos()) {
        lastReport = System.nanoTime();
        log.info(
            "features: {} pairs sent, {} messages confirmed, {} in flight, {} resent",
            pairsSent,
            confirmed.get(),
            config.window() - window.availablePermits(),
            resent.get());
      }
    }
    return publisher;
  }

  /**
   * A channel with the queues declared. The node may go down between the connection and this (a
   * cluster node killed, a broker restarted): then, once automatic recovery has reconnected, it is
   * tried again, within the connect timeout. A refusal of the declare itself is not retried.
   */
  private Channel open() throws IOException {
    StartupRetry retry =
        new StartupRetry("features", settings.connectTimeout(), connection::isOpen);
    Channel channel = retry.run("opening a channel", connection::createChannel);
    retry.run(
        "declaring its queues",
        () -> {
          Topology.declare(channel, settings, "features", Queues.FEATURES, Queues.Y_TRUE);
          return null;
        });
    return channel;
  }

  /** Asks {@link #run} to stop after the message it is sending; safe from any thread. */
  public void stop() {
    stopping = true;
  }

  public long confirmedMessages() {
    return confirmed.get();
  }

  /** Sends {@code n} random rows: as one message each, or together in one bulk message. */
  private void sendRows(ConfirmedPublisher publisher, SplittableRandom random, int n)
      throws InterruptedException {
    long now = clock.millis();
    MessageId[] ids = new MessageId[n];
    double[][] features = new double[n][];
    double[] truths = new double[n];
    int[] drawn = new int[n];
    for (int i = 0; i < n; i++) {
      drawn[i] = random.nextInt(config.data().size());
      ids[i] = MessageId.random();
      features[i] = config.data().features(drawn[i]);
      for (Shift shift : config.shifts()) {
        features[i] = shift.apply(features[i], pairsSent + i);
      }
      truths[i] = config.data().target(drawn[i]);
    }
    send(publisher, ids, features, truths, now, config.bulk());
    for (int i = 0; i < n; i++) {
      listener.sent(ids[i], drawn[i]);
    }
    pairsSent += n;
  }

  private void send(
      ConfirmedPublisher publisher,
      MessageId[] ids,
      double[][] features,
      double[] truths,
      long now,
      boolean bulk)
      throws InterruptedException {
    byte[] vectors = codec.encode(new FeatureRows(ids, features, now, bulk));
    byte[] truth = codec.encode(new ValueRows(ids, truths, "", now, bulk));
    MessageTracer tracer = settings.tracer();
    if (!tracer.enabled()) {
      // y_true first, as the course does: the answer is waiting when the prediction arrives.
      send(publisher, new Pending(Queues.Y_TRUE, truth, null, null, ids.length));
      send(publisher, new Pending(Queues.FEATURES, vectors, null, null, ids.length));
      return;
    }
    // Both halves of the pair in one trace, so that metric's pairing of them is within it too.
    Span pair = tracer.startRoot("send pair");
    try {
      Context trace = Context.root().with(pair);
      String id = ids[0].text();
      send(publisher, new Pending(Queues.Y_TRUE, truth, trace, id, ids.length));
      send(publisher, new Pending(Queues.FEATURES, vectors, trace, id, ids.length));
    } finally {
      pair.end();
    }
  }

  private void send(ConfirmedPublisher publisher, Pending message) throws InterruptedException {
    window.acquire();
    Outcome outcome =
        new Outcome() {
          @Override
          public void confirmed() {
            confirmed.incrementAndGet();
            window.release();
          }

          @Override
          public void failed(String reason) {
            retries.add(message);
            window.release();
            reportRefusal(reason);
          }
        };
    if (message.trace() == null) {
      publisher.publish(message.queue(), properties, message.body(), outcome);
    } else {
      publisher.publish(
          message.queue(),
          properties,
          message.body(),
          outcome,
          settings
              .tracer()
              .startPublish(
                  message.queue(), false, message.trace(), message.messageId(), message.rows()));
    }
  }

  /**
   * Says why messages are being sent again: the first refusal at once, then at most once per {@link
   * #PROGRESS_EVERY} with the count since (a quorum queue without its majority nacks every publish,
   * which would otherwise show only as a growing "resent" count).
   */
  private void reportRefusal(String reason) {
    long count = refusedSinceReport.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalReport.get();
    if ((last == Long.MIN_VALUE || now - last >= PROGRESS_EVERY.toNanos())
        && lastRefusalReport.compareAndSet(last, now)) {
      refusedSinceReport.addAndGet(-count);
      log.warn(
          "features: the broker did not take {} message(s) (last: {}); sending them again",
          count,
          reason);
    }
  }

  private void resendFailed(ConfirmedPublisher publisher) throws InterruptedException {
    if (retries.isEmpty()) {
      resendBackoffMillis = 0; // the last round went through
      return;
    }
    if (!awaitOpen(publisher, Long.MAX_VALUE)) {
      return;
    }
    // Failures again right after a resend mean the broker refuses what it gets (a quorum queue
    // without its majority nacks every publish): sending again at once would only spin. Back off,
    // doubling up to 2 s, until a round finds nothing to resend.
    if (resendBackoffMillis > 0) {
      Thread.sleep(resendBackoffMillis);
    }
    resendBackoffMillis =
        Math.min(MAX_RESEND_BACKOFF_MILLIS, Math.max(25, resendBackoffMillis * 2));
    // Only what is waiting now, and only while the channel is up: a publish on a dead channel
    // fails at once and queues its message again, which would otherwise spin until recovery.
    for (int n = retries.size(); n > 0 && publisher.isOpen(); n--) {
      Pending message = retries.poll();
      if (message == null) {
        break;
      }
      resent.incrementAndGet();
      send(publisher, message);
    }
  }

  /**
   * Automatic recovery reopens the channel; until then, publishing would only fail again. False if
   * {@code deadline} (a {@link System#nanoTime()} value) passed first.
   */
  private boolean awaitOpen(ConfirmedPublisher publisher, long deadline)
      throws InterruptedException {
    long since = System.nanoTime();
    boolean warned = false;
    while (!publisher.isOpen()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      if (!warned && System.nanoTime() - since > TimeUnit.SECONDS.toNanos(2)) {
        log.warn(
            "features: waiting for the broker connection to recover; {} messages to resend",
            retries.size());
        warned = true;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private void drain(ConfirmedPublisher publisher, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      publisher = replaceIfRefusing(publisher);
      if (!retries.isEmpty() && awaitOpen(publisher, deadline)) {
        resendFailed(publisher);
      }
      if (retries.isEmpty() && publisher.pending() == 0) {
        return;
      }
      Thread.sleep(5);
    }
    log.warn(
        "features: {} messages still unconfirmed after {}",
        publisher.pending() + retries.size(),
        timeout);
  }

  /**
   * A new channel when the broker has refused every message on this one for {@link
   * #REFUSING_CHANNEL} and confirmed none ({@link ConfirmedPublisher#onlyRefusedFor}: RabbitMQ 3.10
   * can keep refusing one channel to a quorum queue after its leader moved). Where the refusals are
   * the queue's own (no majority), a new channel costs one declare. What was in flight on the old
   * channel fails with it and is sent again, as after any refusal.
   */
  private ConfirmedPublisher replaceIfRefusing(ConfirmedPublisher publisher) throws IOException {
    if (!publisher.onlyRefusedFor(REFUSING_CHANNEL)) {
      return publisher;
    }
    log.warn(
        "features: the broker refused all {} messages to a queue on this channel for {} s and"
            + " confirmed none of them; sending on a new channel",
        publisher.refusedSinceConfirm(REFUSING_CHANNEL),
        REFUSING_CHANNEL.toSeconds());
    closeQuietly(channel);
    channel = open();
    replacedChannels.incrementAndGet();
    return new ConfirmedPublisher(channel, settings.tracer());
  }

  /** Channels replaced because the broker refused everything on them. */
  public long replacedChannels() {
    return replacedChannels.get();
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel != null && channel.isOpen()) {
        channel.close();
      }
    } catch (Exception e) {
      log.debug("features: channel close: {}", e.getMessage());
    }
  }
}
