package io.mlqueue.metric.service;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Inbound;
import io.mlqueue.amqp.QueueConsumer;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueRows;
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
import java.util.ArrayList;
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
 * per pair to {@code metric_log.csv}, and acks both halves only after the row is flushed ({@link
 * PairLog}). A half whose partner does not come in time is dead-lettered as an orphan; a redelivered
 * half of a pair already logged is acked without a second row, also across a restart. Bulk messages
 * (many rows each) pair row by row, and are acked when all their rows are done.
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
  private final PairingBuffer<DeliveryRows.Row> pending; // guarded by lock
  private final Config config;
  private final RunningMetrics metrics = new RunningMetrics();
  private final PairLog pairLog;
  private final AtomicLong redelivered = new AtomicLong();
  private final AtomicLong orphans = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final ScheduledExecutorService ticker;
  private final QueueConsumer trueConsumer;
  private final QueueConsumer predConsumer;

  private MetricService(
      Connection connection, AmqpSettings settings, Config config, InstantSource clock)
      throws IOException {
    this.config = config;
    this.codec = new MessageCodec(config.maxMessageBytes());
    this.pending = new PairingBuffer<>(config.pairing(), clock);
    this.pairLog = new PairLog(config, clock, metrics);
    long existing = metrics.snapshot().count();
    if (existing > 0) {
      log.info("metric: {} already holds {} rows; their ids will not be logged twice",
          pairLog.file(), existing);
    }
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "metric-ticker");
              t.setDaemon(true);
              return t;
            });
    // One channel per queue: each channel's acks then come in its own delivery order, so a
    // multiple ack covers a long run. On one channel, y_true halves waiting for their predictions
    // sat in front of every y_pred ack, and the broker walked past them for each one.
    AmqpSettings consuming = settings.withPrefetch(prefetchFor(config));
    this.trueConsumer =
        QueueConsumer.open(connection, "metric", consuming).declare(Queues.Y_TRUE, Queues.Y_PRED);
    this.predConsumer = QueueConsumer.open(connection, "metric", consuming);
    ticker.scheduleWithFixedDelay(this::evictExpired, 1, 1, TimeUnit.SECONDS);
    if (!config.statusEvery().isZero()) {
      long every = config.statusEvery().toMillis();
      ticker.scheduleAtFixedRate(this::logStatus, every, every, TimeUnit.MILLISECONDS);
    }
    // Halves held for a channel that went down are redelivered on the recovered one; their
    // partners from the other channel go back too, so that both come again together.
    trueConsumer.channel().addShutdownListener(cause -> dropPending());
    predConsumer.channel().addShutdownListener(cause -> dropPending());
    trueConsumer.consume(Queues.Y_TRUE, m -> onValue(m, Half.TRUE));
    predConsumer.consume(Queues.Y_PRED, m -> onValue(m, Half.PRED));
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

  private void onValue(Inbound message, Half half) {
    ValueRows rows;
    try {
      rows = codec.decodeValueRows(message.body());
    } catch (InvalidMessageException e) {
      invalid.incrementAndGet();
      message.deadLetter("invalid " + half.queue() + " message: " + e.getMessage());
      return;
    }
    for (int i = 0; i < rows.size(); i++) {
      if (!MetricLogWriter.isLoggable(rows.ids()[i])) {
        invalid.incrementAndGet();
        message.deadLetter((rows.bulk() ? "the id of row " + i : "the id")
            + " contains a line break and cannot be a row of " + MetricLog.FILE_NAME);
        return;
      }
    }
    DeliveryRows delivery = new DeliveryRows(message, rows, codec);
    List<Orphan<DeliveryRows.Row>> evicted = new ArrayList<>(0);
    List<Pair<DeliveryRows.Row>> paired = new ArrayList<>(rows.size());
    synchronized (lock) {
      for (int i = 0; i < rows.size(); i++) {
        MessageId id = rows.ids()[i];
        DeliveryRows.Row row = delivery.row(i);
        if (pairLog.contains(id)) {
          redelivered.incrementAndGet();
          row.done(); // its pair is in the log, or on its way
          // Its other half may be waiting: it came back while a failed write was being repaired,
          // before the log could say that this pair's row had landed after all.
          pending.remove(id).ifPresent(DeliveryRows.Row::done);
          continue;
        }
        switch (pending.offer(half, id, rows.values()[i], row, rows.sentAtMillis())) {
          case OfferResult.Waiting<DeliveryRows.Row> waiting -> evicted.addAll(waiting.evicted());
          case OfferResult.Duplicate<DeliveryRows.Row> duplicate -> {
            redelivered.incrementAndGet();
            duplicate.supersededHandle().done(); // the other copy waits for the partner
          }
          case OfferResult.Paired<DeliveryRows.Row> pair -> paired.add(pair.pair());
        }
      }
      if (!paired.isEmpty()) {
        pairLog.add(paired); // under the lock: a copy arriving next finds them queued
      }
    }
    deadLetter(evicted);
  }

  /** Forgets the waiting halves, sending back those of a channel still up. */
  private void dropPending() {
    synchronized (lock) {
      for (DeliveryRows.Row row : pending.drain()) {
        row.requeue(); // nothing for a delivery of the channel that went down
      }
    }
  }

  private void evictExpired() {
    try {
      List<Orphan<DeliveryRows.Row>> expired;
      synchronized (lock) {
        expired = pending.evictExpired();
      }
      deadLetter(expired);
    } catch (RuntimeException e) {
      log.error("metric: evicting expired halves failed", e);
    }
  }

  private void deadLetter(List<Orphan<DeliveryRows.Row>> evicted) {
    for (Orphan<DeliveryRows.Row> orphan : evicted) {
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
    return pairLog.rowsWritten();
  }

  /** Flushes of the log so far; under load each writes many rows. */
  public long logFlushes() {
    return pairLog.groups();
  }

  /** Ack frames sent for y_true and y_pred together; under load each acks many messages. */
  public long ackFrames() {
    return trueConsumer.ackFrames() + predConsumer.ackFrames();
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
    return pairLog.file();
  }

  /**
   * Stops consuming, writes and acks the pairs already matched, closes the channels (halves still
   * waiting go back to their queues, unacked) and the log file.
   */
  public void close(Duration drain) throws InterruptedException {
    ticker.shutdownNow();
    trueConsumer.cancel();
    predConsumer.cancel();
    pairLog.close(drain);
    trueConsumer.close(drain);
    predConsumer.close(drain);
    logStatus();
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }
}
