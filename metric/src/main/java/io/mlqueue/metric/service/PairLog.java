package io.mlqueue.metric.service;

import io.mlqueue.amqp.DeliveryAcks;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.ModelLogWriter;
import io.mlqueue.metric.ModelQuality;
import io.mlqueue.metric.Pair;
import io.mlqueue.metric.RunningMetrics;
import io.mlqueue.metric.ShadowPairing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes paired rows to {@code metric_log.csv} as a group commit: a thread of its own takes every
 * pair waiting, appends their rows, flushes once, and only then settles their messages, in one ack
 * frame per channel. At a trickle each pair is written alone at once; under load the next group
 * gathers while one is written, so a flush and an ack serve dozens of pairs (docs/PERFORMANCE.md).
 *
 * <p>When a write fails (a full disk), the group is held, unacked, and written again after a pause
 * together with what arrived meanwhile: nothing is acked that is not in the file, an outage does
 * not spin, and the broker is not made to redeliver the same messages over and over. Rows that a
 * failed write left complete in the file are found when it is reopened, and not written twice.
 */
final class PairLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PairLog.class);

  /**
   * Pause after a failed write, before the next group: the disk is not going to be fixed sooner.
   */
  static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);

  /** The most pairs written under one flush; more wait for the next one. */
  private static final int MAX_GROUP = 4_096;

  /** The model log's name for the champion when its {@code y_pred} does not say (the course's). */
  static final String UNNAMED_CHAMPION = "y_pred";

  private final Path dir;
  private final MetricLogWriter.Config fileConfig;
  private final MetricService.Config config;
  private final InstantSource clock;
  private final RunningMetrics metrics;
  // Champion pairs (Pair) and, with the model log, shadow matches (ShadowPairing.Match), in the
  // order they completed: one writer thread and one flush serve both.
  private final LinkedBlockingQueue<Object> waiting = new LinkedBlockingQueue<>();
  private final MetricService.PerModelLog perModel;
  private final ModelQuality quality;
  private final Thread thread;
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong groups = new AtomicLong();
  private final AtomicLong shadowRows = new AtomicLong();
  private volatile boolean closing;

  // Guarded by this: the writer is used by the commit thread and asked by the consumers.
  private MetricLogWriter writer; // null after a write failed, until reopened
  private ModelLogWriter modelWriter; // null without the model log, or after a failed write
  private final Set<String> queued = new HashSet<>(); // ids handed over and not yet written
  private final Set<String> queuedShadow = new HashSet<>(); // "id\nmodel" handed over, not written
  // Writes failed in a row; while the fault lasts every retry fails again. The outage is reported
  // when it starts and when it ends, so a retry's reopening does not read as a recovery.
  private long failedWrites;

  /**
   * @param existingModelRows told the rows {@code model_log.csv} holds at start-up (with the model
   *     log on), oldest first
   */
  PairLog(
      MetricService.Config config,
      InstantSource clock,
      RunningMetrics metrics,
      ModelQuality quality,
      Consumer<ModelLog.Row> existingModelRows)
      throws IOException {
    this.dir = config.logDir();
    this.fileConfig = config.logFile();
    this.config = config;
    this.perModel = config.perModel();
    this.clock = clock;
    this.metrics = metrics;
    this.quality = quality;
    this.writer = MetricLogWriter.open(dir, fileConfig, metrics::add);
    if (perModel.enabled()) {
      this.modelWriter =
          ModelLogWriter.open(
              dir, fileConfig.force(), fileConfig.writtenIdsCapacity(), existingModelRows);
    }
    this.thread = Thread.ofPlatform().daemon().name("metric-writer").start(this::run);
  }

  /** The log file. */
  Path file() {
    return dir.resolve(MetricLog.FILE_NAME);
  }

  /**
   * Whether {@code id} has its row already, or is on its way to one: a half of it arriving now is a
   * redelivered or duplicated copy, and needs no partner.
   */
  synchronized boolean contains(MessageId id) {
    return queued.contains(id.text()) || (writer != null && writer.isWritten(id));
  }

  /** Whether ({@code id}, {@code model}) has its row in the model log already, or is on its way. */
  synchronized boolean containsShadow(String id, String model) {
    return queuedShadow.contains(id + '\n' + model)
        || (modelWriter != null && modelWriter.isWritten(id, model));
  }

  /** Hands shadow matches over to be written to the model log; each is settled once flushed. */
  void addShadow(List<ShadowPairing.Match<DeliveryRows.Row>> matches) {
    addShadow(matches, TruthWait.NONE);
  }

  /**
   * Hands shadow matches over that {@code truth} (a feedback delivery) completed: it is settled
   * once they are all written, or requeued with them.
   */
  void addShadow(List<ShadowPairing.Match<DeliveryRows.Row>> matches, TruthWait truth) {
    if (matches.isEmpty()) {
      return;
    }
    List<ShadowItem> items = new ArrayList<>(matches.size());
    synchronized (this) {
      for (ShadowPairing.Match<DeliveryRows.Row> m : matches) {
        queuedShadow.add(m.id() + '\n' + m.model());
        items.add(new ShadowItem(m, truth));
      }
    }
    waiting.addAll(items);
  }

  /** A shadow match, with the truth delivery waiting for it (or {@link TruthWait#NONE}). */
  record ShadowItem(ShadowPairing.Match<DeliveryRows.Row> match, TruthWait truth) {}

  /** A truth delivery (feedback) acked once the rows it completed are all written. */
  static final class TruthWait {
    static final TruthWait NONE = new TruthWait(null, 0);
    private final DeliveryRows.Row row;
    private int left; // guarded by this

    TruthWait(DeliveryRows.Row row, int rows) {
      this.row = row;
      this.left = rows;
    }

    synchronized void written() {
      if (row != null && --left == 0) {
        row.done();
      }
    }

    void failed() {
      if (row != null) {
        row.requeue(); // its redelivery pairs the redelivered predictions again
      }
    }
  }

  /** Hands pairs over to be written; their messages are settled once their rows are flushed. */
  void add(List<Pair<DeliveryRows.Row>> pairs) {
    synchronized (this) {
      for (Pair<DeliveryRows.Row> pair : pairs) {
        queued.add(pair.id().text());
      }
    }
    waiting.addAll(pairs);
  }

  /** Rows this process has written. */
  long rowsWritten() {
    return rowsWritten.get();
  }

  /** Flushes so far: each wrote one group of rows. */
  long groups() {
    return groups.get();
  }

  private void run() {
    // A group whose write failed is kept and tried again with what arrived meanwhile: requeueing
    // it would make the broker hand the same messages back every second for as long as the disk
    // is full, a storm that slowed the whole stream (MetricDiskFullIT: features' confirms fell to
    // ~100/s). Held, they stay unacked; a crash still gets them redelivered.
    List<Pair<DeliveryRows.Row>> group = new ArrayList<>();
    List<ShadowItem> shadows = new ArrayList<>();
    List<Object> taken = new ArrayList<>();
    try {
      while (!closing || !waiting.isEmpty() || !group.isEmpty() || !shadows.isEmpty()) {
        if (group.isEmpty() && shadows.isEmpty()) {
          Object first = waiting.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          taken.add(first);
        }
        waiting.drainTo(
            taken, Math.max(0, MAX_GROUP - group.size() - shadows.size() - taken.size()));
        sort(taken, group, shadows);
        boolean written;
        try {
          written = commit(group, shadows);
        } catch (RuntimeException e) {
          log.error(
              "metric: writing {} rows failed unexpectedly; their messages are requeued",
              group.size() + shadows.size(),
              e);
          synchronized (this) {
            forget(group, shadows);
          }
          requeue(group, shadows);
          group.clear();
          shadows.clear();
          continue;
        }
        if (written) {
          group.clear();
          shadows.clear();
        } else if (closing) {
          giveBack(group, shadows); // stopping: the next start writes them
          return;
        } else {
          Thread.sleep(FAILURE_PAUSE.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveBack(group, shadows);
    }
  }

  @SuppressWarnings("unchecked") // the queue holds only pairs and shadow items
  private static void sort(
      List<Object> taken, List<Pair<DeliveryRows.Row>> group, List<ShadowItem> shadows) {
    for (Object item : taken) {
      if (item instanceof Pair<?> pair) {
        group.add((Pair<DeliveryRows.Row>) pair);
      } else {
        shadows.add((ShadowItem) item);
      }
    }
    taken.clear();
  }

  /** Sends back the held group and whatever waits behind it, unwritten. */
  private void giveBack(List<Pair<DeliveryRows.Row>> group, List<ShadowItem> shadows) {
    List<Object> rest = new ArrayList<>();
    waiting.drainTo(rest);
    sort(rest, group, shadows);
    synchronized (this) {
      forget(group, shadows);
    }
    requeue(group, shadows);
    group.clear();
    shadows.clear();
  }

  /**
   * The model log's rows of a group: the champion's pairs under the model their {@code y_pred}
   * names, and the shadow matches. Written before {@code metric_log.csv}: a failure between the two
   * files retries the group, and the model log's (id, model) check drops the second copy.
   */
  private boolean[] appendModelRows(
      List<Pair<DeliveryRows.Row>> group, List<ShadowItem> shadows, Instant now)
      throws IOException {
    boolean[] appended = new boolean[group.size() + shadows.size()];
    if (modelWriter == null) {
      return appended;
    }
    for (int i = 0; i < group.size(); i++) {
      Pair<DeliveryRows.Row> pair = group.get(i);
      appended[i] =
          modelWriter.append(
              ModelLog.Row.of(
                  pair.id().text(),
                  championModel(pair.predHandle()),
                  pair.yTrue(),
                  pair.yPred(),
                  now));
    }
    for (int i = 0; i < shadows.size(); i++) {
      ShadowPairing.Match<DeliveryRows.Row> m = shadows.get(i).match();
      appended[group.size() + i] =
          modelWriter.append(ModelLog.Row.of(m.id(), m.model(), m.yTrue(), m.yPred(), now));
    }
    modelWriter.flush();
    return appended;
  }

  /** The champion's model: its y_pred's {@code model}, or the queue's name if it did not say. */
  static String championModel(DeliveryRows.Row pred) {
    return pred.model().isEmpty() ? UNNAMED_CHAMPION : pred.model();
  }

  /** Writes and flushes the group, then settles it; false when the write failed. */
  private boolean commit(List<Pair<DeliveryRows.Row>> group, List<ShadowItem> shadows) {
    boolean[] appended = new boolean[group.size()];
    boolean[] modelAppended;
    Instant loggedAt = clock.instant();
    synchronized (this) {
      try {
        if (writer == null) {
          writer = MetricLogWriter.open(dir, fileConfig);
          log.debug("metric: {} reopened after a failed write", writer.file());
        }
        if (perModel.enabled() && modelWriter == null) {
          modelWriter = openModelLog();
        }
        modelAppended = appendModelRows(group, shadows, loggedAt);
        for (int i = 0; i < group.size(); i++) {
          appended[i] = writer.append(group.get(i).toRow());
        }
        writer.flush();
      } catch (IOException | RuntimeException e) {
        // Nothing is acked: the rows come back once the log can be written again. A writer that
        // failed may hold part of a row, so it is reopened, which repairs the file's tail.
        closeBrokenWriter();
        if (failedWrites++ == 0) {
          log.error(
              "metric: cannot write {} ({}); acking nothing until it can, the pairs wait"
                  + " unacked and are written once it can",
              file(),
              e.toString());
        }
        return false;
      }
      forget(group, shadows);
      if (failedWrites > 0) {
        log.info(
            "metric: {} written again after {} failed attempts; logging again",
            file(),
            failedWrites);
        failedWrites = 0;
      }
    }
    groups.incrementAndGet();
    long now = clock.millis();
    try (DeliveryAcks.Scope acks = DeliveryAcks.batch()) {
      for (int i = 0; i < group.size(); i++) {
        Pair<DeliveryRows.Row> pair = group.get(i);
        pair.trueHandle().done();
        pair.predHandle().done();
        if (appended[i]) { // false: a numeric and a string id with the same text; the first stays
          metrics.add(pair.toRow());
          rowsWritten.incrementAndGet();
          if (pair.sentAtMillis() > 0) {
            config.pairDelays().accept(Math.max(0, now - pair.sentAtMillis()));
          }
        }
        if (modelAppended[i]) {
          quality.add(championModel(pair.predHandle()), pair.yTrue(), pair.yPred(), now);
        }
      }
      for (int i = 0; i < shadows.size(); i++) {
        ShadowPairing.Match<DeliveryRows.Row> m = shadows.get(i).match();
        m.handle().done();
        shadows.get(i).truth().written();
        if (modelAppended[group.size() + i]) {
          quality.add(m.model(), m.yTrue(), m.yPred(), now);
          shadowRows.incrementAndGet();
        }
      }
    }
    return true;
  }

  private void forget(List<Pair<DeliveryRows.Row>> group, List<ShadowItem> shadows) {
    for (Pair<DeliveryRows.Row> pair : group) {
      queued.remove(pair.id().text());
    }
    for (ShadowItem item : shadows) {
      queuedShadow.remove(item.match().id() + '\n' + item.match().model());
    }
  }

  private static void requeue(List<Pair<DeliveryRows.Row>> group, List<ShadowItem> shadows) {
    for (Pair<DeliveryRows.Row> pair : group) {
      pair.trueHandle().requeue();
      pair.predHandle().requeue();
    }
    for (ShadowItem item : shadows) {
      item.match()
          .handle()
          .requeue(); // its truth is remembered: the redelivered copy pairs at once
      item.truth().failed();
    }
  }

  private ModelLogWriter openModelLog() throws IOException {
    return ModelLogWriter.open(dir, fileConfig.force(), fileConfig.writtenIdsCapacity());
  }

  /** Rows of other models than the champion written to the model log by this process. */
  long shadowRows() {
    return shadowRows.get();
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
    if (modelWriter != null) {
      try {
        modelWriter.close();
      } catch (IOException | RuntimeException e) {
        log.debug("metric: closing the failed model log writer: {}", e.getMessage());
      }
      modelWriter = null;
    }
  }

  /** Writes what is waiting (for up to {@code drain}), then closes the file. */
  void close(Duration drain) throws InterruptedException {
    closing = true;
    thread.join(Math.max(1, drain.toMillis()));
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(1_000);
    }
    synchronized (this) {
      if (writer != null) {
        try {
          writer.close();
        } catch (IOException e) {
          log.error("metric: closing {} failed", writer.file(), e);
        }
        writer = null;
      }
      if (modelWriter != null) {
        try {
          modelWriter.close();
        } catch (IOException e) {
          log.error("metric: closing {} failed", modelWriter.file(), e);
        }
        modelWriter = null;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }
}
