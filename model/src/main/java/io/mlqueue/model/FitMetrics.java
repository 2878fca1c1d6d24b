package io.mlqueue.model;

import io.mlqueue.data.Dataset;
import java.util.Locale;
import java.util.Objects;

/**
 * Goodness of fit of a regression on one set of rows, computed the way scikit-learn's {@code
 * r2_score}, {@code mean_absolute_error} and {@code mean_squared_error} do.
 *
 * @param r2 coefficient of determination, 1 for a perfect fit
 * @param mae mean absolute error, in target units
 * @param rmse root mean squared error, in target units
 */
public record FitMetrics(double r2, double mae, double rmse) {

  /** Scores {@code model} on every row of {@code data}. */
  public static FitMetrics evaluate(ServableModel model, Dataset data) {
    Objects.requireNonNull(model, "model");
    double[][] rows = data.rows();
    for (double[] row : rows) {
      model.checkFeatures(row);
    }
    double[] predicted = new double[rows.length];
    model.predictBatch(rows, predicted);
    return of(data.targets(), predicted);
  }

  /** Scores predictions against the true values, pairwise. */
  public static FitMetrics of(double[] actual, double[] predicted) {
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          actual.length + " true values but " + predicted.length + " predictions");
    }
    if (actual.length == 0) {
      throw new IllegalArgumentException("no values to score");
    }
    int n = actual.length;
    double mean = 0;
    for (double y : actual) {
      mean += y;
    }
    mean /= n;
    double absSum = 0;
    double squaredSum = 0;
    double totalSum = 0;
    for (int i = 0; i < n; i++) {
      double e = actual[i] - predicted[i];
      absSum += Math.abs(e);
      squaredSum += e * e;
      double d = actual[i] - mean;
      totalSum += d * d;
    }
    // scikit-learn's convention for a constant target: 1 if every prediction is exact, else 0,
    // rather than a division by zero.
    double r2 = totalSum == 0 ? (squaredSum == 0 ? 1.0 : 0.0) : 1 - squaredSum / totalSum;
    return new FitMetrics(r2, absSum / n, Math.sqrt(squaredSum / n));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "r2=%.4f mae=%.4f rmse=%.4f", r2, mae, rmse);
  }
}
