package io.mlqueue.metric.service;

import io.mlqueue.amqp.DeliveryAcks;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.Pair;
import io.mlqueue.metric.RunningMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

  /** Pause after a failed write, before the next group: the disk is not going to be fixed sooner. */
  static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);

  /** The most pairs written under one flush; more wait for the next one. */
  private static final int MAX_GROUP = 4_096;

  private final Path dir;
  private final MetricLogWriter.Config fileConfig;
  private final MetricService.Config config;
  private final InstantSource clock;
  private final RunningMetrics metrics;
  private final LinkedBlockingQueue<Pair<DeliveryRows.Row>> waiting = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong groups = new AtomicLong();
  private volatile boolean closing;

  // Guarded by this: the writer is used by the commit thread and asked by the consumers.
  private MetricLogWriter writer; // null after a write failed, until reopened
  private final Set<String> queued = new HashSet<>(); // ids handed over and not yet written
  // Writes failed in a row; while the fault lasts every retry fails again. The outage is reported
  // when it starts and when it ends, so a retry's reopening does not read as a recovery.
  private long failedWrites;

  PairLog(MetricService.Config config, InstantSource clock, RunningMetrics metrics)
      throws IOException {
    this.dir = config.logDir();
    this.fileConfig = config.logFile();
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
    this.writer = MetricLogWriter.open(dir, fileConfig, metrics::add);
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
    try {
      while (!closing || !waiting.isEmpty() || !group.isEmpty()) {
        if (group.isEmpty()) {
          Pair<DeliveryRows.Row> first = waiting.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          group.add(first);
        }
        waiting.drainTo(group, Math.max(0, MAX_GROUP - group.size()));
        boolean written;
        try {
          written = commit(group);
        } catch (RuntimeException e) {
          log.error("metric: writing {} rows failed unexpectedly; their messages are requeued",
              group.size(), e);
          synchronized (this) {
            forget(group);
          }
          requeue(group);
          group.clear();
          continue;
        }
        if (written) {
          group.clear();
        } else if (closing) {
          giveBack(group); // stopping: the next start writes them
          return;
        } else {
          Thread.sleep(FAILURE_PAUSE.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveBack(group);
    }
  }

  /** Sends back the held group and whatever waits behind it, unwritten. */
  private void giveBack(List<Pair<DeliveryRows.Row>> group) {
    waiting.drainTo(group);
    synchronized (this) {
      forget(group);
    }
    requeue(group);
    group.clear();
  }

  /** Writes and flushes the group, then settles it; false when the write failed. */
  private boolean commit(List<Pair<DeliveryRows.Row>> group) {
    boolean[] appended = new boolean[group.size()];
    synchronized (this) {
      try {
        if (writer == null) {
          writer = MetricLogWriter.open(dir, fileConfig);
          log.debug("metric: {} reopened after a failed write", writer.file());
        }
        for (int i = 0; i < group.size(); i++) {
          appended[i] = writer.append(group.get(i).toRow());
        }
        writer.flush();
      } catch (IOException | RuntimeException e) {
        // Nothing is acked: the rows come back once the log can be written again. A writer that
        // failed may hold part of a row, so it is reopened, which repairs the file's tail.
        closeBrokenWriter();
        if (failedWrites++ == 0) {
          log.error("metric: cannot write {} ({}); acking nothing until it can, the pairs wait"
              + " unacked and are written once it can", file(), e.toString());
        }
        return false;
      }
      forget(group);
      if (failedWrites > 0) {
        log.info("metric: {} written again after {} failed attempts; logging again", file(),
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
      }
    }
    return true;
  }

  private void forget(List<Pair<DeliveryRows.Row>> group) {
    for (Pair<DeliveryRows.Row> pair : group) {
      queued.remove(pair.id().text());
    }
  }

  private static void requeue(List<Pair<DeliveryRows.Row>> group) {
    for (Pair<DeliveryRows.Row> pair : group) {
      pair.trueHandle().requeue();
      pair.predHandle().requeue();
    }
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
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }
}
