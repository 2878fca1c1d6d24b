package io.mlqueue.stats.bootstrap;

/**
 * A statistic of one sample that a bootstrap can recompute on resamples. A resample is given as
 * counts, how many times each observation was drawn, rather than as a copy of the data: the
 * statistics here are then one pass over the original arrays (quantiles included, through a sort
 * done once), which keeps thousands of resamples of a large log fast.
 */
public interface ResampledStatistic {

  /** How many observations the sample has. */
  int size();

  /** The statistic of the sample itself. */
  double estimate();

  /**
   * The statistic of the resample in which observation {@code i} appears {@code counts[i]} times;
   * the counts add up to {@link #size()}.
   */
  double resampled(int[] counts);

  /** The {@link #size()} leave-one-out values (the jackknife), for the BCa acceleration. */
  double[] jackknife();
}
