package io.mlqueue.jmh;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The built-in linear model: the check of a row, one row, and batches as bulk messages bring. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class InferenceBenchmark {
  @Param({"1", "100"})
  public int rows;

  private final LinearModel model = BuiltInModel.get();
  private double[][] batch;
  private double[] out;

  @Setup
  public void setUp() {
    Dataset data = Dataset.builtIn();
    batch = new double[rows][];
    for (int i = 0; i < rows; i++) {
      batch[i] = data.features(i);
    }
    out = new double[rows];
  }

  @Benchmark
  public double checkAndPredictEachRow() {
    double sum = 0;
    for (double[] row : batch) {
      model.checkFeatures(row);
      sum += model.predict(row);
    }
    return sum;
  }

  @Benchmark
  public double[] predictBatch() {
    model.predictBatch(batch, out);
    return out;
  }
}
