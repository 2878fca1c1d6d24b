package io.mlqueue.stats.compare;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The Mann–Whitney U test of two independent samples, two-sided, by the normal approximation with
 * the variance corrected for ties and no continuity correction, as {@code
 * scipy.stats.mannwhitneyu(x, y, use_continuity=False, method='asymptotic')} computes it. (For the
 * sample sizes a canary compares, hundreds to millions, the exact distribution adds nothing.)
 *
 * <p>On Commons Math's ranking and normal distribution rather than its {@code MannWhitneyUTest},
 * which (3.6.1) leaves out the tie correction: with ties, as in logs whose targets are integers and
 * whose models round, its p-value differs from SciPy's and R's.
 */
public final class MannWhitney {
  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);
  private static final NaturalRanking RANKING =
      new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);

  private MannWhitney() {}

  /**
   * The outcome.
   *
   * @param u1 U of the first sample (SciPy's statistic): how often one of its values beats one of
   *     the second's, ties counting half
   * @param z normal score
   * @param pValue two-sided
   * @param commonLanguageEffect {@code U1 / (n1 n2)}: the chance that a value of the first sample
   *     is larger than one of the second (0.5 when they are alike)
   */
  public record Result(double u1, double z, double pValue, double commonLanguageEffect) {}

  public static Result test(double[] x, double[] y) {
    int n1 = x.length;
    int n2 = y.length;
    if (n1 == 0 || n2 == 0) {
      throw new IllegalArgumentException(
          "Mann-Whitney needs two non-empty samples, got " + n1 + " and " + n2);
    }
    double[] all = new double[n1 + n2];
    System.arraycopy(x, 0, all, 0, n1);
    System.arraycopy(y, 0, all, n1, n2);
    double[] ranks = RANKING.rank(all);
    double r1 = 0;
    for (int i = 0; i < n1; i++) {
      r1 += ranks[i];
    }
    double u1 = r1 - n1 * (n1 + 1.0) / 2;
    double n = (double) n1 + n2;
    double[] sorted = ranks.clone();
    java.util.Arrays.sort(sorted);
    double tieTerm = 0;
    int i = 0;
    while (i < sorted.length) {
      int j = i;
      while (j + 1 < sorted.length && sorted[j + 1] == sorted[i]) {
        j++;
      }
      double t = j - i + 1;
      tieTerm += t * t * t - t;
      i = j + 1;
    }
    double mean = (double) n1 * n2 / 2;
    double variance = (double) n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)));
    double z = variance > 0 ? (u1 - mean) / Math.sqrt(variance) : 0;
    double p = variance > 0 ? Math.min(1, 2 * NORMAL.cumulativeProbability(-Math.abs(z))) : 1.0;
    return new Result(u1, z, p, u1 / ((double) n1 * n2));
  }
}
