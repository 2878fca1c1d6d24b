package io.mlqueue.metric;

import io.mlqueue.contract.MetricLog;

/**
 * Count, MAE, RMSE and R² over every row so far, updated in constant time per row, so the service
 * never re-reads the log to report them.
 *
 * <p>Every sum is kept as a running mean (and, for the variance of {@code y_true}, Welford's sum of
 * squared deviations), which stays accurate over millions of rows where naive sums of squares lose
 * digits to cancellation.
 *
 * <p>Thread-safe: the consumer thread adds rows while a metrics scrape may take a snapshot.
 */
public final class RunningMetrics {

  /**
   * The metrics at one moment.
   *
   * @param count how many rows
   * @param mae mean absolute error; NaN when there are no rows
   * @param rmse root mean squared error; NaN when there are no rows
   * @param r2 coefficient of determination, {@code 1 − SS_res / SS_tot}; NaN when {@code y_true}
   *     has no variance yet (fewer than two rows, or all equal)
   */
  public record Snapshot(long count, double mae, double rmse, double r2) {}

  private long count;
  private double meanAbsError;
  private double meanSquaredError;
  private double meanTrue;
  // Sum of squared deviations of y_true from its mean (Welford's M2), i.e. SS_tot.
  private double sumSquaredDeviations;

  /** Adds one row; its stored absolute error is ignored in favour of {@code |y_true − y_pred|}. */
  public void add(MetricLog.Row row) {
    add(row.yTrue(), row.yPred());
  }

  /** Adds one pair of a true answer and a prediction. */
  public synchronized void add(double yTrue, double yPred) {
    count++;
    double error = yTrue - yPred;
    meanAbsError += (Math.abs(error) - meanAbsError) / count;
    meanSquaredError += (error * error - meanSquaredError) / count;
    double delta = yTrue - meanTrue;
    meanTrue += delta / count;
    sumSquaredDeviations += delta * (yTrue - meanTrue);
  }

  /** The metrics over every row added so far. */
  public synchronized Snapshot snapshot() {
    if (count == 0) {
      return new Snapshot(0, Double.NaN, Double.NaN, Double.NaN);
    }
    double r2 =
        sumSquaredDeviations > 0 ? 1 - count * meanSquaredError / sumSquaredDeviations : Double.NaN;
    return new Snapshot(count, meanAbsError, Math.sqrt(meanSquaredError), r2);
  }
}
