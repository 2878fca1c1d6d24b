package io.mlqueue.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.contract.MetricLog;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunningMetricsTest {

  @Test
  void emptyMetricsAreNaN() {
    RunningMetrics.Snapshot s = new RunningMetrics().snapshot();
    assertThat(s.count()).isZero();
    assertThat(s.mae()).isNaN();
    assertThat(s.rmse()).isNaN();
    assertThat(s.r2()).isNaN();
  }

  @Test
  void knownSmallExample() {
    double[] yTrue = {1, 2, 3, 4, 5};
    double[] yPred = {1.1, 1.9, 3.2, 3.8, 5.0};
    RunningMetrics metrics = new RunningMetrics();
    for (int i = 0; i < yTrue.length; i++) {
      metrics.add(MetricLog.Row.of("id" + i, yTrue[i], yPred[i]));
    }

    RunningMetrics.Snapshot s = metrics.snapshot();

    // SS_res = 0.01 + 0.01 + 0.04 + 0.04 + 0 = 0.1; SS_tot = 4 + 1 + 0 + 1 + 4 = 10.
    assertThat(s.count()).isEqualTo(5);
    assertThat(s.mae()).isCloseTo(0.12, within(1e-12));
    assertThat(s.rmse()).isCloseTo(Math.sqrt(0.02), within(1e-12));
    assertThat(s.r2()).isCloseTo(0.99, within(1e-12));
  }

  @Test
  void predictingTheMeanGivesZeroAndPerfectGivesOne() {
    RunningMetrics mean = new RunningMetrics();
    RunningMetrics perfect = new RunningMetrics();
    for (double y : new double[] {2, 4, 6, 8}) {
      mean.add(y, 5);
      perfect.add(y, y);
    }
    assertThat(mean.snapshot().r2()).isCloseTo(0, within(1e-12));
    assertThat(perfect.snapshot().r2()).isEqualTo(1);
    assertThat(perfect.snapshot().mae()).isZero();
  }

  @Test
  void r2IsUndefinedWithoutVarianceInTheTruth() {
    RunningMetrics metrics = new RunningMetrics();
    metrics.add(3, 1);
    metrics.add(3, 5);
    assertThat(metrics.snapshot().r2()).isNaN();
    assertThat(metrics.snapshot().mae()).isEqualTo(2);
  }

  @Test
  void matchesABatchComputationOnRandomData() {
    Random random = new Random(42);
    int n = 20_000;
    double[] yTrue = new double[n];
    double[] yPred = new double[n];
    RunningMetrics metrics = new RunningMetrics();
    for (int i = 0; i < n; i++) {
      // Roughly the diabetes target: mean 152, spread 77; errors around 43.
      yTrue[i] = 152 + 77 * random.nextGaussian();
      yPred[i] = yTrue[i] + 54 * random.nextGaussian();
      metrics.add(yTrue[i], yPred[i]);
    }

    assertMatchesBatch(metrics.snapshot(), yTrue, yPred, 1e-9);
  }

  @Test
  void staysAccurateWithALargeOffset() {
    // A naive sum of squares of values near 1e9 would cancel away the variance of 1..10.
    Random random = new Random(7);
    int n = 10_000;
    double[] yTrue = new double[n];
    double[] yPred = new double[n];
    RunningMetrics metrics = new RunningMetrics();
    for (int i = 0; i < n; i++) {
      yTrue[i] = 1e9 + random.nextInt(10);
      yPred[i] = yTrue[i] + random.nextGaussian();
      metrics.add(yTrue[i], yPred[i]);
    }

    assertMatchesBatch(metrics.snapshot(), yTrue, yPred, 1e-6);
  }

  /** Two-pass textbook formulas. */
  private static void assertMatchesBatch(
      RunningMetrics.Snapshot s, double[] yTrue, double[] yPred, double tolerance) {
    int n = yTrue.length;
    double sumAbs = 0;
    double sumSquares = 0;
    double sumTrue = 0;
    for (int i = 0; i < n; i++) {
      double e = yTrue[i] - yPred[i];
      sumAbs += Math.abs(e);
      sumSquares += e * e;
      sumTrue += yTrue[i];
    }
    double meanTrue = sumTrue / n;
    double ssTot = 0;
    for (double y : yTrue) {
      ssTot += (y - meanTrue) * (y - meanTrue);
    }
    assertThat(s.count()).isEqualTo(n);
    assertThat(s.mae()).isCloseTo(sumAbs / n, within(tolerance));
    assertThat(s.rmse()).isCloseTo(Math.sqrt(sumSquares / n), within(tolerance));
    assertThat(s.r2()).isCloseTo(1 - sumSquares / ssTot, within(tolerance));
  }
}
