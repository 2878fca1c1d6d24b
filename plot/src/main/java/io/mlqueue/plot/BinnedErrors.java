package io.mlqueue.plot;

import java.util.Arrays;

/**
 * What a chart shows of a sample of absolute errors: its statistics and its bins, computed once so
 * that the PNG and the dashboard's JSON are two views of the very same numbers.
 *
 * <p>Holds no copy of the sample itself: a long log has millions of rows, the summary a few dozen
 * numbers.
 *
 * @param stats statistics of the sample; {@link ErrorStats#EMPTY} when it is empty
 * @param bins the histogram's bins; {@code null} when the sample is empty
 */
record BinnedErrors(ErrorStats stats, HistogramBins bins) {

  static final BinnedErrors EMPTY = new BinnedErrors(ErrorStats.EMPTY, null);

  /** The summary of the first {@code count} entries of {@code errors}, which is left unchanged. */
  static BinnedErrors of(double[] errors, int count) {
    if (count < 0 || count > errors.length) {
      throw new IllegalArgumentException("count " + count + " outside [0, " + errors.length + "]");
    }
    if (count == 0) {
      return EMPTY;
    }
    double[] sorted = Arrays.copyOf(errors, count);
    Arrays.sort(sorted);
    ErrorStats stats = ErrorStats.ofSorted(sorted);
    return new BinnedErrors(stats, HistogramBins.of(sorted, stats));
  }

  /** Number of values summarised. */
  int rows() {
    return stats.count();
  }

  boolean isEmpty() {
    return bins == null;
  }
}
