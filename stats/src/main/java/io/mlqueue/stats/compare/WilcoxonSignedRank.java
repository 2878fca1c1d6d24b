package io.mlqueue.stats.compare;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The Wilcoxon signed-rank test of paired differences against a median of zero, two-sided, as
 * {@code scipy.stats.wilcoxon} computes it by default: zero differences dropped (Wilcoxon's
 * method), ties given their average rank; the exact null distribution when at most 50 differences
 * remain with no zero and no tie, else the normal approximation with the variance corrected for
 * ties and no continuity correction.
 *
 * <p>Written here on Commons Math's ranking and normal distribution rather than with its {@code
 * WilcoxonSignedRankTest}, which (3.6.1) computes {@code N(N+1)} in {@code int} and so returns NaN
 * beyond 46,340 pairs (a log of a day's traffic has more), keeps zero differences, and has no tie
 * correction; {@code WilcoxonSignedRankTest} in this module's tests shows the first.
 */
public final class WilcoxonSignedRank {
  /** Beyond this many differences the exact distribution gives way to the normal approximation. */
  public static final int EXACT_UP_TO = 50;

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  private static final NaturalRanking RANKING =
      new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);

  private WilcoxonSignedRank() {}

  /**
   * The outcome.
   *
   * @param n how many non-zero differences were ranked
   * @param zeros how many differences were zero and dropped
   * @param statistic {@code min(W+, W−)}, SciPy's two-sided statistic
   * @param z the normal score ({@code NaN} when the exact distribution was used)
   * @param pValue two-sided
   * @param exact whether the p-value is from the exact distribution
   */
  public record Result(
      long n, long zeros, double statistic, double z, double pValue, boolean exact) {
    public String method() {
      return exact ? "Wilcoxon signed-rank (exact)" : "Wilcoxon signed-rank (normal approximation)";
    }
  }

  /** Tests the differences {@code d}. With no non-zero difference, the p-value is 1. */
  public static Result test(double[] d) {
    int zeros = 0;
    for (double v : d) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("differences must be finite, got " + v);
      }
      if (v == 0) {
        zeros++;
      }
    }
    int n = d.length - zeros;
    if (n == 0) {
      return new Result(0, zeros, 0, Double.NaN, 1.0, false);
    }
    double[] nonZero = new double[n];
    double[] abs = new double[n];
    int k = 0;
    for (double v : d) {
      if (v != 0) {
        nonZero[k] = v;
        abs[k++] = Math.abs(v);
      }
    }
    double[] ranks = RANKING.rank(abs);
    double plus = 0;
    for (int i = 0; i < n; i++) {
      if (nonZero[i] > 0) {
        plus += ranks[i];
      }
    }
    double total = n * (n + 1.0) / 2;
    double minus = total - plus;
    double statistic = Math.min(plus, minus);
    double tieTerm = tieTerm(ranks);
    if (n <= EXACT_UP_TO && zeros == 0 && tieTerm == 0) {
      return new Result(n, zeros, statistic, Double.NaN, exactP((int) Math.round(plus), n), true);
    }
    double mean = n * (n + 1.0) / 4;
    double variance = (n * (n + 1.0) * (2.0 * n + 1) - 0.5 * tieTerm) / 24;
    double z = (statistic - mean) / Math.sqrt(variance);
    double p = variance > 0 ? 2 * NORMAL.cumulativeProbability(-Math.abs(z)) : 1.0;
    return new Result(n, zeros, statistic, z, Math.min(1, p), false);
  }

  /** {@code Σ t(t² − 1)} over groups of {@code t} tied ranks (average ranks repeat in a group). */
  private static double tieTerm(double[] ranks) {
    double[] sorted = ranks.clone();
    java.util.Arrays.sort(sorted);
    double term = 0;
    int i = 0;
    while (i < sorted.length) {
      int j = i;
      while (j + 1 < sorted.length && sorted[j + 1] == sorted[i]) {
        j++;
      }
      double t = j - i + 1;
      term += t * (t * t - 1);
      i = j + 1;
    }
    return term;
  }

  /**
   * Two-sided exact p-value of {@code W+ = plus} among {@code n} untied ranks: {@code 2 min(P(W+ ≤
   * plus), P(W+ ≥ plus))}, 1 at the centre, from the distribution counted by dynamic programming
   * over the {@code 2^n} sign patterns.
   */
  static double exactP(int plus, int n) {
    int max = n * (n + 1) / 2;
    double[] ways = new double[max + 1];
    ways[0] = 1;
    for (int rank = 1; rank <= n; rank++) {
      for (int s = max; s >= rank; s--) {
        ways[s] += ways[s - rank];
      }
    }
    double all = Math.pow(2, n);
    if (2 * plus == max) {
      return 1.0;
    }
    double lower = 0;
    for (int s = 0; s <= plus; s++) {
      lower += ways[s];
    }
    double upper = 0;
    for (int s = plus; s <= max; s++) {
      upper += ways[s];
    }
    return Math.min(1.0, 2 * Math.min(lower, upper) / all);
  }
}
