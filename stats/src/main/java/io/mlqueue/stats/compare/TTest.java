package io.mlqueue.stats.compare;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.StatisticalSummary;
import org.apache.commons.math3.stat.descriptive.StatisticalSummaryValues;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * Student's t for a mean difference: paired (one sample of differences) or Welch's for two
 * independent samples with unequal variances (Welch–Satterthwaite degrees of freedom), two-sided,
 * with the matching confidence interval. The statistic and p-value are Commons Math's ({@link
 * org.apache.commons.math3.stat.inference.TTest}); the interval uses its t distribution.
 *
 * @param meanDifference the estimate
 * @param t the t statistic
 * @param degreesOfFreedom ν
 * @param pValue two-sided
 * @param lower lower end of the interval at {@code confidence}
 * @param upper upper end
 * @param confidence e.g. 0.95
 */
public record TTest(
    double meanDifference,
    double t,
    double degreesOfFreedom,
    double pValue,
    double lower,
    double upper,
    double confidence) {

  private static final org.apache.commons.math3.stat.inference.TTest COMMONS =
      new org.apache.commons.math3.stat.inference.TTest();

  /** The paired t test of differences {@code d} against a mean of 0 (at least 2, not all equal). */
  public static TTest paired(double[] d, double confidence) {
    return paired(summary(d), confidence);
  }

  /**
   * The paired t test from the differences' count, mean and (sample, n − 1) variance alone: for a
   * stream that keeps running sums instead of every difference (the dashboard's saving).
   */
  public static TTest paired(long n, double mean, double variance, double confidence) {
    if (!Double.isFinite(mean) || !(variance >= 0) || Double.isInfinite(variance)) {
      throw new IllegalArgumentException(
          "mean and variance must be finite, the variance not negative, got "
              + mean
              + " and "
              + variance);
    }
    return paired(
        new StatisticalSummaryValues(mean, variance, n, Double.NaN, Double.NaN, mean * n),
        confidence);
  }

  private static TTest paired(StatisticalSummary s, double confidence) {
    if (s.getN() < 2) {
      throw new IllegalArgumentException("a paired t test needs at least 2 pairs, got " + s.getN());
    }
    double se = Math.sqrt(s.getVariance() / s.getN());
    double df = s.getN() - 1;
    if (se == 0) {
      return degenerate(s.getMean(), df, confidence);
    }
    double t = COMMONS.t(0, s);
    double p = COMMONS.tTest(0, s);
    return withInterval(s.getMean(), t, df, p, se, confidence);
  }

  /** Welch's t test of {@code mean(x) − mean(y)} against 0. */
  public static TTest welch(double[] x, double[] y, double confidence) {
    SummaryStatistics a = summary(x);
    SummaryStatistics b = summary(y);
    if (a.getN() < 2 || b.getN() < 2) {
      throw new IllegalArgumentException(
          "Welch's t test needs at least 2 values in each sample, got "
              + a.getN()
              + " and "
              + b.getN());
    }
    double va = a.getVariance() / a.getN();
    double vb = b.getVariance() / b.getN();
    double se = Math.sqrt(va + vb);
    double diff = a.getMean() - b.getMean();
    double df = (va + vb) * (va + vb) / (va * va / (a.getN() - 1) + vb * vb / (b.getN() - 1));
    if (se == 0) {
      return degenerate(diff, a.getN() + b.getN() - 2, confidence);
    }
    return withInterval(diff, COMMONS.t(a, b), df, COMMONS.tTest(a, b), se, confidence);
  }

  private static TTest withInterval(
      double diff, double t, double df, double p, double se, double confidence) {
    double q = new TDistribution(null, df).inverseCumulativeProbability(1 - (1 - confidence) / 2);
    return new TTest(diff, t, df, p, diff - q * se, diff + q * se, confidence);
  }

  /** Every difference equal: no spread, the mean is known exactly. */
  private static TTest degenerate(double diff, double df, double confidence) {
    double t = diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
    return new TTest(diff, t, df, diff == 0 ? 1.0 : 0.0, diff, diff, confidence);
  }

  private static SummaryStatistics summary(double[] values) {
    SummaryStatistics s = new SummaryStatistics();
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("values must be finite, got " + v);
      }
      s.addValue(v);
    }
    return s;
  }
}
