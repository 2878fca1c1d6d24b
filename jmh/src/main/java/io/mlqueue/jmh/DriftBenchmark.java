package io.mlqueue.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.drift.LiveDrift;
import io.mlqueue.model.drift.LossEstimator;
import io.mlqueue.model.drift.ReferenceProfiles;
import io.mlqueue.stats.drift.DriftDetector;
import io.mlqueue.stats.drift.WindowSettings;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What drift monitoring costs the model worker: {@code observe} is the consumer thread's share per
 * message (1 row, or a bulk message of 100), window checks included as far as they queue; {@code
 * checkWindow} is the checking thread's work for one window of 500 rows (11 tests, PSI, the
 * estimated MAE), which the stream does not wait for.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class DriftBenchmark {
  @Param({"1", "100"})
  public int rows;

  private final LinearModel model = BuiltInModel.get();
  private LiveDrift drift;
  private double[][] batch;
  private double[] predictions;
  private DriftDetector detector;
  private double[][] snapshot;
  private LossEstimator dle;

  @Setup
  public void setUp() {
    Dataset data = Dataset.builtIn();
    batch = new double[rows][];
    predictions = new double[rows];
    for (int i = 0; i < rows; i++) {
      batch[i] = data.features((i * 37) % data.size());
      predictions[i] = model.predict(batch[i]);
    }
    drift =
        new LiveDrift(
            m -> Optional.of(ReferenceProfiles.builtIn()),
            WindowSettings.defaults(),
            new SimpleMeterRegistry(),
            System::currentTimeMillis);
    drift.prepare(model);
    detector = new DriftDetector(ReferenceProfiles.builtIn(), WindowSettings.defaults(), 0);
    for (int i = 0; snapshot == null; i++) {
      double[] row = data.features((i * 37) % data.size());
      snapshot = detector.add(row, model.predict(row), 0);
    }
    dle = LossEstimator.fit(ReferenceProfiles.builtIn()).orElseThrow();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    drift.close();
  }

  @Benchmark
  public void observe() {
    drift.observe(model, batch, predictions);
  }

  @Benchmark
  public double checkWindow() {
    return detector.check(snapshot).rows() + dle.estimateMae(snapshot);
  }
}
