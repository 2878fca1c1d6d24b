package io.mlqueue.stats.errors;

import java.util.Locale;

/**
 * Count, MAE, RMSE and R² of predictions against true values: the one implementation that {@code
 * evaluate} uses, computed as scikit-learn's {@code mean_absolute_error}, {@code
 * mean_squared_error} (its root) and {@code r2_score} do — including their convention for a
 * constant target (R² is 1 when every prediction is exact, else 0). Model training's {@code
 * FitMetrics}, metric's {@code RunningMetrics} and plot's {@code ErrorStats} compute the same
 * figures today and can delegate here.
 *
 * <p>Sums are accumulated as running means (Welford for the spread of {@code y_true}), which stays
 * accurate over millions of rows where plain sums of squares lose digits.
 *
 * @param n number of pairs
 * @param mae mean absolute error, in target units
 * @param rmse root mean squared error, in target units
 * @param r2 coefficient of determination {@code 1 − SS_res / SS_tot}
 */
public record ErrorMetrics(long n, double mae, double rmse, double r2) {

  /** Scores {@code predicted} against {@code actual}, pairwise. */
  public static ErrorMetrics of(double[] actual, double[] predicted) {
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          actual.length + " true values but " + predicted.length + " predictions");
    }
    Accumulator a = new Accumulator();
    for (int i = 0; i < actual.length; i++) {
      a.add(actual[i], predicted[i]);
    }
    return a.metrics();
  }

  /**
   * Adds pairs one at a time and gives the metrics so far in constant time: for a stream. Not
   * thread-safe.
   */
  public static final class Accumulator {
    private long n;
    private double meanAbs;
    private double meanSquared;
    private double meanTrue;
    private double ssTot; // sum of squared deviations of y_true from its mean (Welford's M2)

    /** Adds one pair; both must be finite. */
    public void add(double actual, double predicted) {
      if (!Double.isFinite(actual) || !Double.isFinite(predicted)) {
        throw new IllegalArgumentException(
            "true value and prediction must be finite, got " + actual + " and " + predicted);
      }
      n++;
      double e = actual - predicted;
      meanAbs += (Math.abs(e) - meanAbs) / n;
      meanSquared += (e * e - meanSquared) / n;
      double delta = actual - meanTrue;
      meanTrue += delta / n;
      ssTot += delta * (actual - meanTrue);
    }

    /**
     * The metrics of every pair added.
     *
     * @throws IllegalStateException when no pair was added
     */
    public ErrorMetrics metrics() {
      if (n == 0) {
        throw new IllegalStateException("no pairs to score");
      }
      return new ErrorMetrics(n, meanAbs, Math.sqrt(meanSquared), r2(n * meanSquared, ssTot));
    }
  }

  /** R² from the residual and total sums of squares, with scikit-learn's constant-target rule. */
  public static double r2(double ssRes, double ssTot) {
    return ssTot == 0 ? (ssRes == 0 ? 1.0 : 0.0) : 1 - ssRes / ssTot;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "n=%d mae=%.4f rmse=%.4f r2=%.4f", n, mae, rmse, r2);
  }
}
