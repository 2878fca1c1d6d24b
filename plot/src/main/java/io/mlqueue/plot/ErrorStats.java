package io.mlqueue.plot;

import java.util.Arrays;

/**
 * Summary statistics of a sample of absolute errors. The mean of absolute errors is the MAE.
 *
 * <p>Quantiles use linear interpolation between order statistics (Hyndman–Fan type 7, the default
 * of NumPy and R), so the median of an even-sized sample is the midpoint of the two middle values.
 *
 * @param count number of values
 * @param mean arithmetic mean (the MAE); {@code NaN} when empty
 * @param median 50th percentile; {@code NaN} when empty
 * @param q1 25th percentile; {@code NaN} when empty
 * @param q3 75th percentile; {@code NaN} when empty
 * @param p90 90th percentile; {@code NaN} when empty
 * @param min smallest value; {@code NaN} when empty
 * @param max largest value; {@code NaN} when empty
 */
public record ErrorStats(
    int count,
    double mean,
    double median,
    double q1,
    double q3,
    double p90,
    double min,
    double max) {

  /** The statistics of an empty sample. */
  public static final ErrorStats EMPTY =
      new ErrorStats(
          0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** Statistics of all of {@code values}. */
  public static ErrorStats of(double... values) {
    return of(values, values.length);
  }

  /**
   * Statistics of the first {@code count} entries of {@code values}, which is left unchanged.
   * Values must be finite.
   */
  public static ErrorStats of(double[] values, int count) {
    if (count < 0 || count > values.length) {
      throw new IllegalArgumentException("count " + count + " outside [0, " + values.length + "]");
    }
    if (count == 0) {
      return EMPTY;
    }
    double[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    return ofSorted(sorted);
  }

  /**
   * Statistics of an ascending, non-empty array; avoids a second copy when the caller sorted
   * already.
   */
  static ErrorStats ofSorted(double[] sorted) {
    int n = sorted.length;
    if (n == 0) {
      return EMPTY;
    }
    // Summing in ascending order of magnitude (errors are non-negative) keeps the rounding error
    // small even for millions of rows, without needing compensated summation.
    double sum = 0;
    for (double v : sorted) {
      sum += v;
    }
    return new ErrorStats(
        n,
        sum / n,
        quantile(sorted, 0.5),
        quantile(sorted, 0.25),
        quantile(sorted, 0.75),
        quantile(sorted, 0.9),
        sorted[0],
        sorted[n - 1]);
  }

  /** The {@code p} quantile of an ascending, non-empty array, interpolated linearly (type 7). */
  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Interquartile range, {@code q3 - q1}. */
  public double iqr() {
    return q3 - q1;
  }

  /** Whether the sample is empty. */
  public boolean isEmpty() {
    return count == 0;
  }
}
