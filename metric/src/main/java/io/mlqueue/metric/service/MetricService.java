package io.mlqueue.metric.service;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Inbound;
import io.mlqueue.amqp.QueueConsumer;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.metric.Half;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.ModelQuality;
import io.mlqueue.metric.OfferResult;
import io.mlqueue.metric.Orphan;
import io.mlqueue.metric.Pair;
import io.mlqueue.metric.PairingBuffer;
import io.mlqueue.metric.RunningMetrics;
import io.mlqueue.metric.ShadowPairing;
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
import java.util.function.BiConsumer;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric service: pairs {@code y_true} and {@code y_pred} by id, in either order, appends one
 * row per pair to {@code metric_log.csv}, and acks both halves only after the row is flushed
 * ({@link PairLog}). A half whose partner does not come in time is dead-lettered as an orphan; a
 * redelivered half of a pair already logged is acked without a second row, also across a restart.
 * Bulk messages (many rows each) pair row by row, and are acked when all their rows are done.
 */
public final class MetricService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricService.class);

  /**
   * @param logDir where {@code metric_log.csv} is written
   * @param pairing bounds on the halves waiting for their partner
   * @param logFile how the log file is written
   * @param statusEvery how often the running metrics are logged; zero for never
   * @param maxMessageBytes the largest message body taken; a larger one is refused unparsed
   * @param pairDelays told, for every pair logged whose messages carry {@code sent_at}, how long it
   *     took from features sending it to its row being written, in milliseconds (by this machine's
   *     clock: features' clock must agree for the figure to mean anything)
   * @param perModel whether and how every model's rows go to {@code model_log.csv}
   */
  public record Config(
      Path logDir,
      PairingBuffer.Config pairing,
      MetricLogWriter.Config logFile,
      Duration statusEvery,
      int maxMessageBytes,
      LongConsumer pairDelays,
      PerModelLog perModel) {
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
            "--max-pending must be at most "
                + MAX_PENDING_LIMIT
                + " (the largest AMQP prefetch), was "
                + pairing.maxPending());
      }
      Objects.requireNonNull(logFile, "logFile");
      Objects.requireNonNull(statusEvery, "statusEvery");
      new MessageCodec(maxMessageBytes); // validates
      Objects.requireNonNull(pairDelays, "pairDelays");
      Objects.requireNonNull(perModel, "perModel");
    }

    /** Without the model log. */
    public Config(
        Path logDir,
        PairingBuffer.Config pairing,
        MetricLogWriter.Config logFile,
        Duration statusEvery,
        int maxMessageBytes,
        LongConsumer pairDelays) {
      this(logDir, pairing, logFile, statusEvery, maxMessageBytes, pairDelays, PerModelLog.OFF);
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
      return new Config(logDir, pairing, logFile, every, maxMessageBytes, pairDelays, perModel);
    }

    public Config withMaxMessageBytes(int bytes) {
      return new Config(logDir, pairing, logFile, statusEvery, bytes, pairDelays, perModel);
    }

    public Config withPairDelays(LongConsumer listener) {
      return new Config(logDir, pairing, logFile, statusEvery, maxMessageBytes, listener, perModel);
    }

    public Config withPerModel(PerModelLog log) {
      return new Config(logDir, pairing, logFile, statusEvery, maxMessageBytes, pairDelays, log);
    }

    public static Config of(Path logDir) {
      return new Config(
          logDir, DEFAULT_PAIRING, MetricLogWriter.Config.DEFAULT, Duration.ofSeconds(10));
    }
  }

  /**
   * The per-model log ({@code metric --model-log}): every model's rows in {@code model_log.csv},
   * the challengers' read from {@code y_pred_shadow}, and their quality for Prometheus.
   *
   * @param enabled whether to write it and consume {@code y_pred_shadow}
   * @param window the sliding window of the live quality figures
   * @param cost what a prediction's error costs ({@code (y_true, y_pred) -> cost})
   * @param newModels told of each model when it first has a row (to register its meters)
   */
  public record PerModelLog(
      boolean enabled,
      Duration window,
      DoubleBinaryOperator cost,
      BiConsumer<ModelQuality, String> newModels) {
    /** No model log: metric is the course's. */
    public static final PerModelLog OFF =
        new PerModelLog(false, Duration.ofMinutes(5), (t, p) -> 0, (q, m) -> {});

    /** The most rows per model the window holds; older ones leave it first. */
    public static final int MAX_WINDOW_ROWS = 200_000;

    public PerModelLog {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("--quality-window must be positive, was " + window);
      }
      Objects.requireNonNull(cost, "cost");
      Objects.requireNonNull(newModels, "newModels");
    }

    /** On, with the given window, cost and listener. */
    public static PerModelLog on(
        Duration window, DoubleBinaryOperator cost, BiConsumer<ModelQuality, String> newModels) {
      return new PerModelLog(true, window, cost, newModels);
    }
  }

  /**
   * Truths remembered for the predictions of other models still to come (and reloaded from the
   * model log at start-up), besides the {@code --max-age} bound: about 15 MB. A challenger's
   * prediction is published with the champion's, so it comes within seconds of the truth; a truth
   * forgotten before it came makes its prediction an orphan, dead-lettered with the reason.
   */
  static final int MAX_TRUTHS = 100_000;

  private final MessageCodec codec;
  private final Object lock = new Object();
  private final ShadowPairing<DeliveryRows.Row> shadowPending; // guarded by lock
  private final ModelQuality quality;
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
  private final QueueConsumer shadowConsumer; // null without the model log
  private final QueueConsumer feedbackConsumer; // null without the model log

  private MetricService(
      Connection connection, AmqpSettings settings, Config config, InstantSource clock)
      throws IOException {
    this.config = config;
    this.codec = new MessageCodec(config.maxMessageBytes());
    this.pending = new PairingBuffer<>(config.pairing(), clock);
    PerModelLog perModel = config.perModel();
    this.quality =
        new ModelQuality(
            perModel.window(),
            PerModelLog.MAX_WINDOW_ROWS,
            perModel.cost(),
            clock,
            perModel.newModels());
    this.shadowPending = new ShadowPairing<>(MAX_TRUTHS, config.pairing().maxAge(), clock);
    // The rows logged before a restart: each model's figures since the log began, and the latest
    // truths, so that the challenger's predictions still in their queue pair.
    this.pairLog =
        new PairLog(
            config,
            clock,
            metrics,
            quality,
            row -> {
              quality.add(row.model(), row.yTrue(), row.yPred(), row.loggedAt().toEpochMilli());
              shadowPending.truth(row.id(), row.yTrue());
            });
    long existing = metrics.snapshot().count();
    if (existing > 0) {
      log.info(
          "metric: {} already holds {} rows; their ids will not be logged twice",
          pairLog.file(),
          existing);
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
    // The prefetch follows the rows per message (RowPrefetch): one message until the first says.
    AmqpSettings consuming = settings.withPrefetch(RowPrefetch.FIRST);
    this.trueConsumer =
        QueueConsumer.open(connection, "metric", consuming).declare(Queues.Y_TRUE, Queues.Y_PRED);
    this.predConsumer = QueueConsumer.open(connection, "metric", consuming);
    this.shadowConsumer =
        perModel.enabled()
            ? QueueConsumer.open(connection, "metric", consuming).declare(Queues.Y_PRED_SHADOW)
            : null;
    this.feedbackConsumer =
        perModel.enabled()
            ? QueueConsumer.open(connection, "metric", consuming).declare(Queues.FEEDBACK)
            : null;
    ticker.scheduleWithFixedDelay(this::evictExpired, 1, 1, TimeUnit.SECONDS);
    if (!config.statusEvery().isZero()) {
      long every = config.statusEvery().toMillis();
      ticker.scheduleAtFixedRate(this::logStatus, every, every, TimeUnit.MILLISECONDS);
    }
    // Halves held for a channel that went down are redelivered on the recovered one; their
    // partners from the other channel go back too, so that both come again together.
    trueConsumer.channel().addShutdownListener(cause -> dropPending());
    predConsumer.channel().addShutdownListener(cause -> dropPending());
    RowPrefetch truePrefetch = rowPrefetch(trueConsumer, Queues.Y_TRUE);
    RowPrefetch predPrefetch = rowPrefetch(predConsumer, Queues.Y_PRED);
    trueConsumer.consume(Queues.Y_TRUE, m -> onValue(m, Half.TRUE, truePrefetch));
    predConsumer.consume(Queues.Y_PRED, m -> onValue(m, Half.PRED, predPrefetch));
    log.info("metric: logging pairs to {}", logFile());
    if (shadowConsumer != null) {
      shadowConsumer.channel().addShutdownListener(cause -> dropPending());
      feedbackConsumer.channel().addShutdownListener(cause -> dropPending());
      RowPrefetch shadowPrefetch = rowPrefetch(shadowConsumer, Queues.Y_PRED_SHADOW);
      RowPrefetch feedbackPrefetch = rowPrefetch(feedbackConsumer, Queues.FEEDBACK);
      shadowConsumer.consume(Queues.Y_PRED_SHADOW, m -> onShadow(m, shadowPrefetch));
      feedbackConsumer.consume(Queues.FEEDBACK, m -> onFeedback(m, feedbackPrefetch));
      log.info(
          "metric: logging every model's pairs (y_pred and {}) to {}",
          Queues.Y_PRED_SHADOW,
          config.logDir().resolve(ModelLog.FILE_NAME));
    }
  }

  /**
   * Every half waiting for its partner is an unacked delivery, so a prefetch up to the pairing
   * bound would stall metric once that many halves wait (orphans of dead-lettered features, say):
   * the broker would deliver nothing more, and nothing would push the buffer over its bound. One
   * more than the bound per consumer lets the buffer overflow first, and its eviction of orphans
   * frees the way; halves that are merely waiting stay, at most this prefetch per queue. This is
   * the prefetch of a single-row stream; a bulk stream's is as many rows ({@link RowPrefetch}).
   */
  static int prefetchFor(Config config) {
    return RowPrefetch.messagesFor(config.pairing().maxPending(), 1);
  }

  /** The prefetch of {@code consumer} on {@code queue}, following the rows per message. */
  private RowPrefetch rowPrefetch(QueueConsumer consumer, String queue) {
    return new RowPrefetch(consumer, queue, config.pairing().maxPending(), ticker);
  }

  /** Opens the log and starts consuming at once. */
  public static MetricService start(
      Connection connection, AmqpSettings settings, Config config, InstantSource clock)
      throws IOException {
    return new MetricService(connection, settings, config, clock);
  }

  private void onValue(Inbound message, Half half, RowPrefetch prefetch) {
    ValueRows rows;
    // Read in the message's own format: JSON without a content type, or CBOR.
    MessageCodec codec = this.codec.forContentType(message.properties().getContentType());
    try {
      rows = codec.decodeValueRows(message.body());
      message.identify(rows.ids()[0].text(), rows.size());
    } catch (InvalidMessageException e) {
      invalid.incrementAndGet();
      message.deadLetter("invalid " + half.queue() + " message: " + e.getMessage());
      return;
    }
    prefetch.seen(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      if (!MetricLogWriter.isLoggable(rows.ids()[i])) {
        invalid.incrementAndGet();
        message.deadLetter(
            (rows.bulk() ? "the id of row " + i : "the id")
                + " contains a line break and cannot be a row of "
                + MetricLog.FILE_NAME);
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
        if (half == Half.TRUE && shadowConsumer != null) {
          pairLog.addShadow(shadowPending.truth(id.text(), rows.values()[i]));
        }
        switch (pending.offer(half, id, rows.values()[i], row, rows.sentAtMillis())) {
          case OfferResult.Waiting<DeliveryRows.Row> waiting -> {
            evicted.addAll(waiting.evicted());
            // A copy of a half whose pair is in the log (or on its way) must not wait for a
            // partner that will not come again. Only a half that waits is asked: one that pairs is
            // checked as its row is written (a second row is refused there), which spares the
            // look-up for every other half at full speed.
            if (pairLog.contains(id)) {
              redelivered.incrementAndGet();
              pending.remove(id).ifPresent(DeliveryRows.Row::done);
            }
          }
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

  /**
   * A challenger's (or the gateway's) predictions: each row is logged to {@code model_log.csv} with
   * its truth, under the model the message names, once the truth is known; the message is acked
   * once all its rows are logged (or were before).
   */
  private void onShadow(Inbound message, RowPrefetch prefetch) {
    ValueRows rows;
    // Read in the message's own format: JSON without a content type, or CBOR.
    MessageCodec codec = this.codec.forContentType(message.properties().getContentType());
    try {
      rows = codec.decodeValueRows(message.body());
      message.identify(rows.ids()[0].text(), rows.size());
    } catch (InvalidMessageException e) {
      invalid.incrementAndGet();
      message.deadLetter("invalid " + Queues.Y_PRED_SHADOW + " message: " + e.getMessage());
      return;
    }
    prefetch.seen(rows.size());
    if (rows.model().isEmpty()) {
      invalid.incrementAndGet();
      message.deadLetter(
          "a "
              + Queues.Y_PRED_SHADOW
              + " message must name its model"
              + " (\"model\": \"name:version\"): rows are logged per model");
      return;
    }
    for (int i = 0; i < rows.size(); i++) {
      if (!MetricLogWriter.isLoggable(rows.ids()[i])) {
        invalid.incrementAndGet();
        message.deadLetter(
            (rows.bulk() ? "the id of row " + i : "the id")
                + " contains a line break and cannot be a row of "
                + ModelLog.FILE_NAME);
        return;
      }
    }
    DeliveryRows delivery = new DeliveryRows(message, rows, codec);
    List<ShadowPairing.Match<DeliveryRows.Row>> matched = new ArrayList<>(rows.size());
    synchronized (lock) {
      for (int i = 0; i < rows.size(); i++) {
        String id = rows.ids()[i].text();
        DeliveryRows.Row row = delivery.row(i);
        if (pairLog.containsShadow(id, rows.model())) {
          redelivered.incrementAndGet();
          row.done();
          continue;
        }
        shadowPending.prediction(id, rows.model(), rows.values()[i], row).ifPresent(matched::add);
      }
      pairLog.addShadow(matched);
    }
  }

  /**
   * Late truths ({@code POST /v1/feedback}): each is remembered for the predictions still to come
   * and joined to those waiting; the message is acked once their rows are written (at once when
   * none waited: the truth then lives in memory for {@code --max-age}).
   */
  private void onFeedback(Inbound message, RowPrefetch prefetch) {
    ValueRows rows;
    // Read in the message's own format: JSON without a content type, or CBOR.
    MessageCodec codec = this.codec.forContentType(message.properties().getContentType());
    try {
      rows = codec.decodeValueRows(message.body());
      message.identify(rows.ids()[0].text(), rows.size());
    } catch (InvalidMessageException e) {
      invalid.incrementAndGet();
      message.deadLetter("invalid " + Queues.FEEDBACK + " message: " + e.getMessage());
      return;
    }
    prefetch.seen(rows.size());
    DeliveryRows delivery = new DeliveryRows(message, rows, codec);
    synchronized (lock) {
      for (int i = 0; i < rows.size(); i++) {
        DeliveryRows.Row row = delivery.row(i);
        List<ShadowPairing.Match<DeliveryRows.Row>> matched =
            shadowPending.truth(rows.ids()[i].text(), rows.values()[i]);
        if (matched.isEmpty()) {
          row.done();
        } else {
          pairLog.addShadow(matched, new PairLog.TruthWait(row, matched.size()));
        }
      }
    }
  }

  /** Forgets the waiting halves, sending back those of a channel still up. */
  private void dropPending() {
    synchronized (lock) {
      for (DeliveryRows.Row row : pending.drain()) {
        row.requeue(); // nothing for a delivery of the channel that went down
      }
      for (DeliveryRows.Row row : shadowPending.drainWaiting()) {
        row.requeue();
      }
    }
  }

  private void evictExpired() {
    try {
      List<Orphan<DeliveryRows.Row>> expired;
      List<ShadowPairing.Expired<DeliveryRows.Row>> shadowExpired;
      synchronized (lock) {
        expired = pending.evictExpired();
        shadowExpired = shadowPending.evictExpired();
      }
      deadLetter(expired);
      for (ShadowPairing.Expired<DeliveryRows.Row> e : shadowExpired) {
        orphans.incrementAndGet();
        e.handle()
            .deadLetter(
                "orphan "
                    + Queues.Y_PRED_SHADOW
                    + " message: no "
                    + Queues.Y_TRUE
                    + " with this id arrived within "
                    + e.age().toSeconds()
                    + " s");
      }
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
            case EXPIRED ->
                "no "
                    + other.queue()
                    + " with this id arrived within "
                    + orphan.age().toSeconds()
                    + " s";
            case OVERFLOW ->
                "evicted unpaired after "
                    + orphan.age().toSeconds()
                    + " s: too many halves waiting, and the "
                    + other.queue()
                    + " stream has moved past it";
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

  /** Every model's quality and cost, as logged to {@code model_log.csv}; no models without it. */
  public ModelQuality quality() {
    return quality;
  }

  /** Rows of models other than the champion this process has written to the model log. */
  public long shadowRowsWritten() {
    return pairLog.shadowRows();
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
      return pending.pendingCount() + shadowPending.waitingCount();
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
    if (shadowConsumer != null) {
      shadowConsumer.cancel();
      feedbackConsumer.cancel();
    }
    pairLog.close(drain);
    trueConsumer.close(drain);
    predConsumer.close(drain);
    if (shadowConsumer != null) {
      shadowConsumer.close(drain);
      feedbackConsumer.close(drain);
    }
    logStatus();
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }
}
