package io.mlqueue.stats.compare;

import io.mlqueue.stats.bootstrap.Bootstrap;

/**
 * How comparisons are computed: the defaults are those stated in every report.
 *
 * @param alpha the error rate of every interval and test: intervals are at {@code 1 − alpha}
 * @param resamples bootstrap resamples
 * @param seed bootstrap seed
 * @param sequenceTunedFor the number of pairs at which the confidence sequence is narrowest
 * @param minimumPairs below this many pairs (or rows per model for unpaired comparisons) no verdict
 *     is given: the intervals are shown but called inconclusive
 */
public record Settings(
    double alpha, int resamples, long seed, long sequenceTunedFor, long minimumPairs) {
  public static final double DEFAULT_ALPHA = 0.05;
  public static final int DEFAULT_RESAMPLES = 2000;
  public static final long DEFAULT_SEED = 1;
  public static final long DEFAULT_TUNED_FOR = 1000;
  public static final long DEFAULT_MINIMUM_PAIRS = 100;

  public static final Settings DEFAULTS =
      new Settings(
          DEFAULT_ALPHA, DEFAULT_RESAMPLES, DEFAULT_SEED, DEFAULT_TUNED_FOR, DEFAULT_MINIMUM_PAIRS);

  public Settings {
    if (!(alpha > 0 && alpha < 0.5)) {
      throw new IllegalArgumentException("--alpha must be in (0, 0.5), got " + alpha);
    }
    if (sequenceTunedFor < 1) {
      throw new IllegalArgumentException(
          "--sequence-tuned-for must be at least 1, got " + sequenceTunedFor);
    }
    if (minimumPairs < 2) {
      throw new IllegalArgumentException("--min-pairs must be at least 2, got " + minimumPairs);
    }
    new Bootstrap(resamples, 1 - alpha, seed); // validates resamples
  }

  public double confidence() {
    return 1 - alpha;
  }

  public Bootstrap bootstrap() {
    return new Bootstrap(resamples, 1 - alpha, seed);
  }
}
