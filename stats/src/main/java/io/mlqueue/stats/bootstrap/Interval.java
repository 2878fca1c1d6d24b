package io.mlqueue.stats.bootstrap;

import java.util.Locale;

/**
 * A confidence interval around an estimate.
 *
 * @param estimate the statistic of the sample itself
 * @param lower lower end
 * @param upper upper end
 * @param confidence the coverage it is built for, e.g. 0.95
 * @param method how it was computed, as the report names it (e.g. {@code "BCa bootstrap"})
 */
public record Interval(
    double estimate, double lower, double upper, double confidence, String method) {

  /** Whether the whole interval lies above {@code x}. */
  public boolean above(double x) {
    return lower > x;
  }

  /** Whether the whole interval lies below {@code x}. */
  public boolean below(double x) {
    return upper < x;
  }

  /** This interval with every number multiplied by {@code factor} (> 0), e.g. per 1,000 rows. */
  public Interval scaled(double factor) {
    if (!(factor > 0)) {
      throw new IllegalArgumentException("scale factor must be positive, got " + factor);
    }
    return new Interval(estimate * factor, lower * factor, upper * factor, confidence, method);
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "%.6g [%.6g, %.6g] (%.0f%% %s)",
        estimate,
        lower,
        upper,
        confidence * 100,
        method);
  }
}
