package io.mlqueue.stats.errors;

/**
 * Quantiles by linear interpolation between order statistics: Hyndman and Fan's type 7, the default
 * of NumPy ({@code np.quantile}) and R, so figures match what a person computes there.
 */
public final class Quantiles {
  private Quantiles() {}

  /** The {@code p} quantile of an ascending, non-empty array. */
  public static double ofSorted(double[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("quantile " + p + " is outside [0, 1]");
    }
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
