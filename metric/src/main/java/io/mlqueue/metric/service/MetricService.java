package io.mlqueue.metric.service;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Inbound;
import io.mlqueue.amqp.QueueConsumer;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.metric.Half;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.OfferResult;
import io.mlqueue.metric.Orphan;
import io.mlqueue.metric.Pair;
import io.mlqueue.metric.PairingBuffer;
import io.mlqueue.metric.RunningMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric service: pairs {@code y_true} and {@code y_pred} by id, in either order, appends one row
 * per pair to {@code metric_log.csv}, and acks both halves only after the row is flushed. A half whose
 * partner does not come in time is dead-lettered as an orphan; a redelivered half of a pair already
 * logged is acked without a second row, also across a restart.
 */
public final class MetricService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricService.class);

  /**
   * @param logDir where {@code metric_log.csv} is written
   * @param pairing bounds on the halves waiting for their partner
   * @param logFile how the log file is written
   * @param statusEvery how often the running metrics are logged; zero for never
   * @param maxMessageBytes the largest message body taken; a larger one is refused unparsed
   * @param pairDelays told, for every pair logged whose messages carry {@code sent_at}, how long
   *     it took from features sending it to its row being written, in milliseconds (by this
   *     machine's clock: features' clock must agree for the figure to mean anything)
   */
  public record Config(
      Path logDir,
      PairingBuffer.Config pairing,
      MetricLogWriter.Config logFile,
      Duration statusEvery,
      int maxMessageBytes,
      LongConsumer pairDelays) {
    /** 20,000 halves waiting at most, each for up to 10 minutes. */
    public static final PairingBuffer.Config DEFAULT_PAIRING =
        new PairingBuffer.Config(20_000, Duration.ofMinutes(10));

    /** The most halves that may wait: one below AMQP's largest prefetch ({@link #prefetchFor}). */
    public static final int MAX_PENDING_LIMIT = 65_534;

    public Config {
      Objects.requireNonNull(logDir, "logDir");
      Objects.requireNonNull(pairing, "pairing");
      if (pairing.maxPending() > MAX_PENDING_LIMIT) {
        throw new IllegalArgumentException(
            "--max-pending must be at most " + MAX_PENDING_LIMIT + " (the largest AMQP prefetch), was "
                + pairing.maxPending());
      }
      Objects.requireNonNull(logFile, "logFile");
      Objects.requireNonNull(statusEvery, "statusEvery");
      new MessageCodec(maxMessageBytes); // validates
      Objects.requireNonNull(pairDelays, "pairDelays");
    }

    /** Nobody told of the pairs' delays. */
    public Config(
        Path logDir,
        PairingBuffer.Config pairing,
        MetricLogWriter.Config logFile,
        Duration statusEvery,
        int maxMessageBytes) {
      this(logDir, pairing, logFile, statusEvery, maxMessageBytes, delay -> {});
    }

    /** Messages up to {@link MessageCodec#DEFAULT_MAX_BYTES}. */
    public Config(
        Path logDir,
        PairingBuffer.Config pairing,
        MetricLogWriter.Config logFile,
        Duration statusEvery) {
      this(logDir, pairing, logFile, statusEvery, MessageCodec.DEFAULT_MAX_BYTES);
    }

    public Config withStatusEvery(Duration every) {
      return new Config(logDir, pairing, logFile, every, maxMessageBytes, pairDelays);
    }

    public Config withMaxMessageBytes(int bytes) {
      return new Config(logDir, pairing, logFile, statusEvery, bytes, pairDelays);
    }

    public Config withPairDelays(LongConsumer listener) {
      return new Config(logDir, pairing, logFile, statusEvery, maxMessageBytes, listener);
    }

    public static Config of(Path logDir) {
      return new Config(
          logDir, DEFAULT_PAIRING, MetricLogWriter.Config.DEFAULT, Duration.ofSeconds(10));
    }
  }

  private final MessageCodec codec;
  private final Object lock = new Object();
  private final PairingBuffer<Inbound> pending;
  private final Config config;
  private final InstantSource clock;
  private MetricLogWriter writer; // null after a write failed, until reopened; guarded by lock
  // Writes failed in a row (a full disk, say); guarded by lock. While the fault lasts every retry
  // fails again, about once a second: the outage is reported when it starts and when it ends, so
  // a retry's reopening does not read as a recovery.
  private long failedWrites;
  private final RunningMetrics metrics = new RunningMetrics();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong redelivered = new AtomicLong();
  private final AtomicLong orphans = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final ScheduledExecutorService ticker;
  private final QueueConsumer consumer;

  private MetricService(
      Connection connection, AmqpSettings settings, Config config, InstantSource clock)
      throws IOException {
    this.config = config;
    this.clock = clock;
    this.codec = new MessageCodec(config.maxMessageBytes());
    this.pending = new PairingBuffer<>(config.pairing(), clock);
    this.writer = MetricLogWriter.open(config.logDir(), config.logFile(), metrics::add);
    long existing = metrics.snapshot().count();
    if (existing > 0) {
      log.info("metric: {} already holds {} rows; their ids will not be logged twice",
          writer.file(), existing);
    }
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "metric-ticker");
              t.setDaemon(true);
              return t;
            });
    this.consumer =
        QueueConsumer.open(connection, "metric", settings.withPrefetch(prefetchFor(config)))
            .declare(Queues.Y_TRUE, Queues.Y_PRED);
    ticker.scheduleWithFixedDelay(this::evictExpired, 1, 1, TimeUnit.SECONDS);
    if (!config.statusEvery().isZero()) {
      long every = config.statusEvery().toMillis();
      ticker.scheduleAtFixedRate(this::logStatus, every, every, TimeUnit.MILLISECONDS);
    }
    // Halves held for a channel that went down are redelivered on the recovered one.
    consumer.channel().addShutdownListener(cause -> {
      synchronized (lock) {
        pending.clear();
      }
    });
    consumer.consume(Queues.Y_TRUE, m -> onValue(m, Half.TRUE));
    consumer.consume(Queues.Y_PRED, m -> onValue(m, Half.PRED));
    log.info("metric: logging pairs to {}", logFile());
  }

  /**
   * Every half waiting for its partner is an unacked delivery, so a prefetch up to the pairing bound
   * would stall metric once that many halves wait (orphans of dead-lettered features, say): the broker
   * would deliver nothing more, and nothing would push the buffer over its bound. One more than the
   * bound per consumer lets the buffer overflow first, and its eviction of orphans frees the way;
   * halves that are merely waiting stay, at most this prefetch per queue.
   */
  static int prefetchFor(Config config) {
    return config.pairing().maxPending() + 1;
  }

  /** Opens the log and starts consuming at once. */
  public static MetricService start(
      Connection connection, AmqpSettings settings, Config config, InstantSource clock)
      throws IOException {
    return new MetricService(connection, settings, config, clock);
  }

  private void onValue(Inbound message, Half half) throws IOException {
    ValueMessage value;
    try {
      value = codec.decodeValue(message.body());
    } catch (InvalidMessageException e) {
      invalid.incrementAndGet();
      message.deadLetter("invalid " + half.queue() + " message: " + e.getMessage());
      return;
    }
    if (!MetricLogWriter.isLoggable(value.id())) {
      invalid.incrementAndGet();
      message.deadLetter("the id contains a line break and cannot be a row of " + MetricLog.FILE_NAME);
      return;
    }
    synchronized (lock) {
      if (writer != null && writer.isWritten(value.id())) {
        redelivered.incrementAndGet();
        message.ack(); // its pair is in the log already
        return;
      }
      OfferResult<Inbound> result =
          pending.offer(half, value.id(), value.value(), message, value.sentAtMillis());
      switch (result) {
        case OfferResult.Waiting<Inbound> waiting -> deadLetter(waiting.evicted());
        case OfferResult.Duplicate<Inbound> duplicate -> {
          redelivered.incrementAndGet();
          duplicate.supersededHandle().ack(); // the other copy waits for the partner
        }
        case OfferResult.Paired<Inbound> paired -> write(paired.pair());
      }
    }
  }

  private void write(Pair<Inbound> pair) throws IOException {
    MetricLog.Row row = pair.toRow();
    boolean appended;
    try {
      if (writer == null) {
        reopen();
      }
      appended = writer.append(row);
      writer.flush();
    } catch (IOException | RuntimeException e) {
      // Nothing is acked: both halves come back once the log can be written again. A writer that
      // failed may hold part of a row, so it is reopened, which repairs the file's tail.
      closeBrokenWriter();
      pair.trueHandle().requeue();
      pair.predHandle().requeue();
      if (failedWrites++ == 0) {
        log.error(
            "metric: cannot write {} ({}); acking nothing until it can, the pairs wait in their"
                + " queues",
            logFile(),
            e.toString());
      }
      throw e;
    }
    if (failedWrites > 0) {
      log.info(
          "metric: {} written again after {} failed attempts; logging again",
          writer.file(),
          failedWrites);
      failedWrites = 0;
    }
    if (appended) { // false: a numeric and a string id with the same text; the log keeps the first
      metrics.add(row);
      rowsWritten.incrementAndGet();
    }
    pair.trueHandle().ack();
    pair.predHandle().ack();
    if (appended && pair.sentAtMillis() > 0) {
      config.pairDelays().accept(Math.max(0, clock.millis() - pair.sentAtMillis()));
    }
  }

  private void reopen() throws IOException {
    writer = MetricLogWriter.open(config.logDir(), config.logFile());
    log.debug("metric: {} reopened after a failed write", writer.file());
  }

  private void closeBrokenWriter() {
    if (writer != null) {
      try {
        writer.close();
      } catch (IOException | RuntimeException e) {
        log.debug("metric: closing the failed writer: {}", e.getMessage());
      }
      writer = null;
    }
  }

  private void evictExpired() {
    try {
      List<Orphan<Inbound>> expired;
      synchronized (lock) {
        expired = pending.evictExpired();
      }
      deadLetter(expired);
    } catch (RuntimeException e) {
      log.error("metric: evicting expired halves failed", e);
    }
  }

  private void deadLetter(List<Orphan<Inbound>> evicted) {
    for (Orphan<Inbound> orphan : evicted) {
      orphans.incrementAndGet();
      Half other = orphan.half() == Half.TRUE ? Half.PRED : Half.TRUE;
      String why =
          switch (orphan.reason()) {
            case EXPIRED -> "no " + other.queue() + " with this id arrived within " + orphan.age().toSeconds() + " s";
            case OVERFLOW -> "evicted unpaired after " + orphan.age().toSeconds() + " s: too many halves waiting, and the " + other.queue() + " stream has moved past it";
          };
      orphan.handle().deadLetter("orphan " + orphan.half().queue() + " message: " + why);
    }
  }

  private void logStatus() {
    RunningMetrics.Snapshot s = metrics.snapshot();
    log.info(
        "metric: {} rows (MAE {}, RMSE {}, R² {}), {} waiting for a partner, {} orphans, {} redelivered, {} invalid",
        s.count(),
        String.format("%.3f", s.mae()),
        String.format("%.3f", s.rmse()),
        String.format("%.4f", s.r2()),
        pendingCount(),
        orphans.get(),
        redelivered.get(),
        invalid.get());
  }

  /** Running MAE, RMSE and R² over every row of the log, including rows from before a restart. */
  public RunningMetrics.Snapshot metrics() {
    return metrics.snapshot();
  }

  /** Rows this process has written. */
  public long rowsWritten() {
    return rowsWritten.get();
  }

  public int pendingCount() {
    synchronized (lock) {
      return pending.pendingCount();
    }
  }

  public long orphans() {
    return orphans.get();
  }

  public Path logFile() {
    return config.logDir().resolve(MetricLog.FILE_NAME);
  }

  /**
   * Stops consuming, closes the channel (halves still waiting go back to their queues, unacked) and the
   * log file.
   */
  public void close(Duration drain) throws InterruptedException {
    ticker.shutdownNow();
    consumer.close(drain);
    synchronized (lock) {
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException e) {
          log.error("metric: closing {} failed", writer.file(), e);
        }
      }
    }
    logStatus();
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }
}
