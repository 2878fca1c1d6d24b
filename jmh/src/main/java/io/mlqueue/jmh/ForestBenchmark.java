package io.mlqueue.jmh;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.training.Algorithm;
import io.mlqueue.model.tribuo.TribuoModel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
import org.tribuo.Example;
import org.tribuo.Prediction;
import org.tribuo.impl.ArrayExample;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * A random forest predicting a batch of 500 rows (a drift window: the error model of the drift
 * monitor is a forest of 30 trees of depth 5), through Tribuo's own API and as the worker serves it
 * ({@code TribuoModel.predictBatch}, which walks the trees laid out as arrays).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ForestBenchmark {
  @Param({"30"})
  public int trees;

  private TribuoModel forest;
  private String[] names;
  private double[][] batch;
  private double[] out;

  @Setup
  public void setUp() {
    Dataset data = Dataset.builtIn();
    forest =
        (TribuoModel)
            new Algorithm.Forest(trees, 5, 20261204L)
                .fit(data, "bench", "1", "diabetes", null, Clock.systemUTC());
    names = data.featureNames().toArray(String[]::new);
    batch = new double[500][];
    for (int i = 0; i < batch.length; i++) {
      batch[i] = data.features(i % data.size());
    }
    out = new double[batch.length];
  }

  @Benchmark
  public double[] tribuoPredict() {
    RegressionFactory factory = new RegressionFactory();
    List<Example<Regressor>> examples = new ArrayList<>(batch.length);
    for (double[] row : batch) {
      examples.add(new ArrayExample<>(factory.getUnknownOutput(), names, row.clone()));
    }
    List<Prediction<Regressor>> p = forest.tribuoModel().predict(examples);
    for (int i = 0; i < out.length; i++) {
      out[i] = p.get(i).getOutput().getValues()[0];
    }
    return out;
  }

  @Benchmark
  public double[] servedPredictBatch() {
    forest.predictBatch(batch, out);
    return out;
  }
}
