package io.mlqueue.stats.bootstrap;

import io.mlqueue.stats.errors.Quantiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Bootstrap confidence intervals by the bias-corrected and accelerated (BCa) method of Efron
 * (1987), "Better bootstrap confidence intervals", JASA 82(397), with the conventions of {@code
 * scipy.stats.bootstrap} (its default method), so that a person can recompute an interval there:
 *
 * <ul>
 *   <li>bias correction {@code z0 = Φ⁻¹((#{θ* < θ̂} + #{θ* ≤ θ̂}) / 2B)};
 *   <li>acceleration from the jackknife, {@code a = Σ U³ / (6 (Σ U²)^{3/2})} with {@code U_i =
 *       θ̄_(·) − θ̂_(i)}; for two samples, SciPy's sum over both samples' jackknifes (Efron and
 *       Tibshirani 1993, eq. 15.36);
 *   <li>the ends are type-7 percentiles of the {@code B} resampled values at {@code Φ(z0 + (z0 +
 *       z_α)/(1 − a (z0 + z_α)))} for {@code z_α} at {@code (1 − confidence)/2} and its complement.
 * </ul>
 *
 * <p>When BCa is undefined (every resample gives the same value, so {@code z0} or {@code a} is not
 * a number) the interval falls back to the percentile method and says so in {@link
 * Interval#method()}.
 *
 * <p>Resamples come from {@link Resamples#seeded} with {@link #seed()}: the same data and seed give
 * the same interval on every run.
 *
 * @param resamples how many resamples, B; Efron and Tibshirani recommend at least 1,000 for BCa
 * @param confidence the two-sided coverage, e.g. 0.95
 * @param seed the random seed
 */
public record Bootstrap(int resamples, double confidence, long seed) {
  public static final String BCA = "BCa bootstrap";
  public static final String PERCENTILE = "percentile bootstrap";

  private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

  public Bootstrap {
    if (resamples < 100) {
      throw new IllegalArgumentException("--resamples must be at least 100, got " + resamples);
    }
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
    }
  }

  /** The interval of one statistic. */
  public Interval interval(ResampledStatistic statistic) {
    return intervals(List.of(statistic)).get(0);
  }

  /**
   * Intervals of several statistics of the same sample (the same observations, e.g. the MAE, RMSE
   * and R² of one model), computed from the same resamples, one draw for all.
   */
  public List<Interval> intervals(List<ResampledStatistic> statistics) {
    return intervals(statistics, Resamples.seeded(seed));
  }

  /** As {@link #intervals(List)}, from the given resamples. */
  public List<Interval> intervals(List<ResampledStatistic> statistics, Resamples draws) {
    int n = statistics.get(0).size();
    for (ResampledStatistic s : statistics) {
      if (s.size() != n) {
        throw new IllegalArgumentException(
            "statistics of one sample must have one size: " + n + " and " + s.size());
      }
    }
    double[][] values = new double[statistics.size()][resamples];
    int[] counts = new int[n];
    for (int b = 0; b < resamples; b++) {
      draws.next(counts);
      for (int k = 0; k < statistics.size(); k++) {
        values[k][b] = statistics.get(k).resampled(counts);
      }
    }
    List<Interval> out = new ArrayList<>();
    for (int k = 0; k < statistics.size(); k++) {
      ResampledStatistic s = statistics.get(k);
      out.add(interval(s.estimate(), values[k], List.of(s.jackknife())));
    }
    return out;
  }

  /**
   * The interval of {@code a − b} for two independent samples (e.g. the MAE of the champion's
   * answers minus the challenger's in a canary, where each answered other requests): each sample
   * resampled on its own.
   */
  public Interval difference(ResampledStatistic a, ResampledStatistic b) {
    // One generator, each resample drawing a's observations then b's: reproducible from one seed.
    Resamples both = Resamples.seeded(seed);
    return difference(a, b, both, both);
  }

  /** As {@link #difference(ResampledStatistic, ResampledStatistic)}, from the given resamples. */
  public Interval difference(
      ResampledStatistic a, ResampledStatistic b, Resamples drawsA, Resamples drawsB) {
    int[] countsA = new int[a.size()];
    int[] countsB = new int[b.size()];
    double[] values = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      drawsA.next(countsA);
      drawsB.next(countsB);
      values[r] = a.resampled(countsA) - b.resampled(countsB);
    }
    double estimateA = a.estimate();
    double estimateB = b.estimate();
    double[] jackA = a.jackknife();
    double[] jackB = b.jackknife();
    for (int i = 0; i < jackA.length; i++) {
      jackA[i] -= estimateB;
    }
    for (int i = 0; i < jackB.length; i++) {
      jackB[i] = estimateA - jackB[i];
    }
    return interval(estimateA - estimateB, values, List.of(jackA, jackB));
  }

  private Interval interval(double estimate, double[] resampled, List<double[]> jackknifes) {
    double[] sorted = resampled.clone();
    Arrays.sort(sorted);
    double alpha = (1 - confidence) / 2;
    double z0 = NORMAL.inverseCumulativeProbability(fractionBelow(sorted, estimate));
    double a = acceleration(jackknifes);
    double zLow = NORMAL.inverseCumulativeProbability(alpha);
    double pLow = NORMAL.cumulativeProbability(z0 + (z0 + zLow) / (1 - a * (z0 + zLow)));
    double pHigh = NORMAL.cumulativeProbability(z0 + (z0 - zLow) / (1 - a * (z0 - zLow)));
    if (Double.isNaN(pLow) || Double.isNaN(pHigh)) {
      return new Interval(
          estimate,
          Quantiles.ofSorted(sorted, alpha),
          Quantiles.ofSorted(sorted, 1 - alpha),
          confidence,
          PERCENTILE);
    }
    return new Interval(
        estimate,
        Quantiles.ofSorted(sorted, pLow),
        Quantiles.ofSorted(sorted, pHigh),
        confidence,
        BCA);
  }

  /** SciPy's {@code percentileofscore(kind='mean')} as a fraction: ties count half. */
  private static double fractionBelow(double[] sorted, double x) {
    int below = 0;
    int atOrBelow = 0;
    for (double v : sorted) {
      if (v < x) {
        below++;
      }
      if (v <= x) {
        atOrBelow++;
      }
    }
    return (below + atOrBelow) / (2.0 * sorted.length);
  }

  /** BCa's acceleration from the jackknife values of each sample (SciPy's multi-sample form). */
  static double acceleration(List<double[]> jackknifes) {
    double num = 0;
    double den = 0;
    for (double[] jack : jackknifes) {
      int n = jack.length;
      double mean = 0;
      for (double v : jack) {
        mean += v;
      }
      mean /= n;
      double cubes = 0;
      double squares = 0;
      for (double v : jack) {
        double u = (n - 1) * (mean - v);
        cubes += u * u * u;
        squares += u * u;
      }
      num += cubes / ((double) n * n * n);
      den += squares / ((double) n * n);
    }
    return num / (6 * Math.pow(den, 1.5));
  }
}
