package io.mlqueue.jmh;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import io.mlqueue.metric.Half;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.OfferResult;
import io.mlqueue.metric.PairingBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * metric's own work per pair: matching the two halves in the pairing buffer, and appending the row
 * to metric_log.csv (flushed every 64 rows, as a group commit under load does).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class MetricBenchmark {
  private static final int IDS = 1 << 16;

  private final PairingBuffer<Object> buffer =
      new PairingBuffer<>(
          new PairingBuffer.Config(20_000, Duration.ofMinutes(10)), InstantSource.system());
  private final Object handle = new Object();
  private MessageId[] ids;
  private int next;
  private Path dir;
  private MetricLogWriter writer;
  private long rows;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    ids = new MessageId[IDS];
    for (int i = 0; i < IDS; i++) {
      ids[i] = MessageId.random();
    }
    dir = Files.createTempDirectory("mlqueue-jmh-");
    writer = MetricLogWriter.open(dir, new MetricLogWriter.Config(false, 1_000_000));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    writer.close();
    Files.deleteIfExists(dir.resolve(MetricLog.FILE_NAME));
    Files.deleteIfExists(dir);
  }

  /** The y_true half waits, the y_pred half completes the pair. */
  @Benchmark
  public OfferResult<Object> pairTwoHalves() {
    MessageId id = ids[next++ & (IDS - 1)];
    buffer.offer(Half.TRUE, id, 151.0, handle, 1L);
    return buffer.offer(Half.PRED, id, 206.1, handle, 1L);
  }

  @Benchmark
  public boolean appendRow() throws IOException {
    long n = rows++;
    boolean appended = writer.append(MetricLog.Row.of(Long.toString(n), 151.0, 206.11667724510565));
    if ((n & 63) == 63) {
      writer.flush();
    }
    return appended;
  }
}
