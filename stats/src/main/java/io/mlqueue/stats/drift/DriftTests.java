package io.mlqueue.stats.drift;

import java.util.Arrays;
import java.util.Map;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * The drift tests over a reference sample and a current sample of one column, written to give what
 * Evidently 0.4's stattests give (they call SciPy), and the rule that picks one by data size.
 * Missing values (NaN) are dropped first, as Evidently does. Samples need not be sorted; they are
 * not modified.
 */
public final class DriftTests {
  /** Evidently's size limit: a reference of up to this many rows gets the tests with p-values. */
  public static final int SMALL_REFERENCE_ROWS = 1000;

  private static final KolmogorovSmirnovTest KS = new KolmogorovSmirnovTest();

  private DriftTests() {}

  /**
   * Evidently's default choice for a numerical column: with a reference of at most {@link
   * #SMALL_REFERENCE_ROWS} rows, KS when the two samples hold more than 5 distinct values, χ² for
   * 3–5 and Z for 2 or fewer; with a larger reference, Wasserstein (normed) above 5 distinct values
   * and Jensen–Shannon otherwise.
   */
  public static Method choose(int referenceRows, int distinctValues) {
    if (referenceRows <= SMALL_REFERENCE_ROWS) {
      return distinctValues > 5 ? Method.KS : distinctValues > 2 ? Method.CHI_SQUARE : Method.Z;
    }
    return distinctValues > 5 ? Method.WASSERSTEIN : Method.JENSEN_SHANNON;
  }

  /** {@code method} at its default threshold. */
  public static TestResult run(Method method, double[] reference, double[] current) {
    return run(method, reference, current, method.defaultThreshold());
  }

  /** {@code method} at {@code threshold}. */
  public static TestResult run(
      Method method, double[] reference, double[] current, double threshold) {
    double[] ref = present(reference);
    double[] cur = present(current);
    if (ref.length == 0 || cur.length == 0) {
      throw new IllegalArgumentException(
          "a drift test needs values in both samples, got "
              + ref.length
              + " reference and "
              + cur.length
              + " current");
    }
    return switch (method) {
      case KS -> ks(ref, cur, threshold);
      case WASSERSTEIN -> {
        double w = wassersteinNormed(ref, cur);
        yield TestResult.of(method, w, w, threshold);
      }
      case CHI_SQUARE -> chiSquare(ref, cur, threshold);
      case Z -> z(ref, cur, threshold);
      case JENSEN_SHANNON -> {
        double[][] p = binnedPercents(ref, cur, false);
        double d = jensenShannon(p[0], p[1]);
        yield TestResult.of(method, d, d, threshold);
      }
      case PSI -> {
        double[][] p = binnedPercents(ref, cur, true);
        double v = psi(p[0], p[1]);
        yield TestResult.of(method, v, v, threshold);
      }
    };
  }

  /** The values that are not NaN, sorted, in a new array. */
  static double[] present(double[] values) {
    double[] out = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    Arrays.sort(out);
    return out;
  }

  /** Distinct values over both samples (NaN excluded), counted up to {@code cap} and no further. */
  public static int distinct(double[] a, double[] b, int cap) {
    java.util.HashSet<Double> seen = new java.util.HashSet<>();
    for (double[] s : new double[][] {a, b}) {
      for (double v : s) {
        if (!Double.isNaN(v) && seen.add(v) && seen.size() >= cap) {
          return cap;
        }
      }
    }
    return seen.size();
  }

  /**
   * KS on sorted samples: D as {@code scipy.stats.ks_2samp} computes it (both empirical CDFs taken
   * at every observed value, ties included), and the p-value of SciPy's {@code method='asymp'}: the
   * one-sample Kolmogorov distribution at n = round(n₁n₂/(n₁+n₂)), which Commons Math evaluates
   * exactly up to n = 140 and with Pelz–Good's expansion above, as SciPy does. SciPy's default
   * ('auto') uses the exact two-sample distribution below 10,000 rows, at a cost that grows with
   * n₁n₂; the two agree to a few thousandths of the p-value at window sizes.
   */
  static TestResult ks(double[] a, double[] b, double threshold) {
    double d = ksStatistic(a, b);
    double m = Math.max(a.length, b.length);
    double n = Math.min(a.length, b.length);
    int en = (int) Math.round(m * n / (m + n));
    double p = en == 0 ? 1.0 : Math.max(0.0, Math.min(1.0, 1.0 - KS.cdf(d, en)));
    return TestResult.of(Method.KS, d, p, threshold);
  }

  static double ksStatistic(double[] a, double[] b) {
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < a.length && j < b.length) {
      double x = Math.min(a[i], b[j]);
      while (i < a.length && a[i] <= x) {
        i++;
      }
      while (j < b.length && b[j] <= x) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
    }
    return d;
  }

  /**
   * {@code scipy.stats.wasserstein_distance(ref, cur)} (the integral of |F_ref − F_cur|) divided by
   * the reference's population standard deviation, at least 0.001, as Evidently norms it.
   */
  static double wassersteinNormed(double[] a, double[] b) {
    double mean = 0;
    for (double v : a) {
      mean += v;
    }
    mean /= a.length;
    double ss = 0;
    for (double v : a) {
      ss += (v - mean) * (v - mean);
    }
    double norm = Math.max(Math.sqrt(ss / a.length), 0.001);
    return wasserstein(a, b) / norm;
  }

  static double wasserstein(double[] a, double[] b) {
    int i = 0;
    int j = 0;
    double area = 0;
    double x = Math.min(a[0], b[0]);
    while (i < a.length || j < b.length) {
      double next =
          Math.min(
              i < a.length ? a[i] : Double.POSITIVE_INFINITY,
              j < b.length ? b[j] : Double.POSITIVE_INFINITY);
      area += Math.abs((double) i / a.length - (double) j / b.length) * (next - x);
      x = next;
      while (i < a.length && a[i] <= x) {
        i++;
      }
      while (j < b.length && b[j] <= x) {
        j++;
      }
    }
    return area;
  }

  /**
   * Evidently's χ²: the current counts of each value against the reference's counts scaled to the
   * current size, over the values seen in either sample ({@code scipy.stats.chisquare}, k − 1
   * degrees of freedom). A value the reference never had makes the statistic infinite (p = 0).
   */
  static TestResult chiSquare(double[] a, double[] b, double threshold) {
    Map<Double, long[]> counts = counts(a, b);
    double k = (double) b.length / a.length;
    double chi = 0;
    for (long[] c : counts.values()) {
      double expected = c[0] * k;
      double diff = c[1] - expected;
      chi += expected == 0 ? (c[1] == 0 ? 0 : Double.POSITIVE_INFINITY) : diff * diff / expected;
    }
    int df = counts.size() - 1;
    double p;
    if (df < 1) {
      p = 1.0; // one value in both samples: no difference to see
    } else if (Double.isInfinite(chi)) {
      p = 0.0;
    } else {
      p = 1.0 - new ChiSquaredDistribution(null, df).cumulativeProbability(chi);
    }
    return TestResult.of(Method.CHI_SQUARE, chi, p, threshold);
  }

  /**
   * Evidently's two-proportion Z test: the share of one value (the smallest seen) in each sample,
   * pooled variance, two-sided normal p-value; p = 1 when both samples hold the same single value.
   */
  static TestResult z(double[] a, double[] b, double threshold) {
    double target = Math.min(a[0], b[0]);
    if (a[0] == a[a.length - 1] && b[0] == b[b.length - 1] && a[0] == b[0]) {
      return TestResult.of(Method.Z, 0.0, 1.0, threshold);
    }
    double p1 = share(a, target);
    double p2 = share(b, target);
    double pooled = (p1 * a.length + p2 * b.length) / (a.length + b.length);
    double z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1.0 / a.length + 1.0 / b.length));
    double p = Erf.erfc(Math.abs(z) / Math.sqrt(2));
    return TestResult.of(Method.Z, z, p, threshold);
  }

  private static double share(double[] sorted, double value) {
    int n = 0;
    for (double v : sorted) {
      if (v == value) {
        n++;
      }
    }
    return (double) n / sorted.length;
  }

  /**
   * Evidently's {@code get_binned_data}: a reference with more than 20 distinct values is binned by
   * NumPy's Sturges edges over both samples together; otherwise each distinct value is a bin. With
   * {@code fillZeroes} an empty bin gets 0.0001 (or a millionth of the smallest share when that is
   * smaller), so PSI's logarithm stays finite.
   *
   * @return reference shares then current shares, bin by bin
   */
  static double[][] binnedPercents(double[] a, double[] b, boolean fillZeroes) {
    double[] ref;
    double[] cur;
    if (distinct(a, new double[0], 21) > 20) {
      double lo = Math.min(a[0], b[0]);
      double hi = Math.max(a[a.length - 1], b[b.length - 1]);
      int bins = sturgesBins(a.length + b.length);
      ref = histogram(a, lo, hi, bins);
      cur = histogram(b, lo, hi, bins);
    } else {
      Map<Double, long[]> counts = counts(a, b);
      ref = new double[counts.size()];
      cur = new double[counts.size()];
      int i = 0;
      for (long[] c : counts.values()) {
        ref[i] = (double) c[0] / a.length;
        cur[i] = (double) c[1] / b.length;
        i++;
      }
    }
    if (fillZeroes) {
      fillZeroes(ref);
      fillZeroes(cur);
    }
    return new double[][] {ref, cur};
  }

  /** NumPy's Sturges rule, ⌈log₂ n + 1⌉, exact at powers of two. */
  static int sturgesBins(int n) {
    if (Integer.bitCount(n) == 1) {
      return Integer.numberOfTrailingZeros(n) + 1;
    }
    return (int) Math.ceil(Math.log(n) / Math.log(2) + 1);
  }

  /** Shares per bin as {@code np.histogram} counts them: equal widths, the last bin closed. */
  private static double[] histogram(double[] sorted, double lo, double hi, int bins) {
    double[] out = new double[bins];
    if (hi == lo) {
      // NumPy widens a zero range to [lo − 0.5, hi + 0.5]: every value falls in the middle bin.
      out[bins / 2] = 1.0;
      return out;
    }
    double width = (hi - lo) / bins;
    for (double v : sorted) {
      int i = (int) ((v - lo) / width);
      out[Math.min(Math.max(i, 0), bins - 1)] += 1;
    }
    for (int i = 0; i < bins; i++) {
      out[i] /= sorted.length;
    }
    return out;
  }

  private static void fillZeroes(double[] shares) {
    double min = Double.POSITIVE_INFINITY;
    for (double s : shares) {
      if (s != 0) {
        min = Math.min(min, s);
      }
    }
    double fill = min <= 0.0001 ? min / 1e6 : 0.0001;
    for (int i = 0; i < shares.length; i++) {
      if (shares[i] == 0) {
        shares[i] = fill;
      }
    }
  }

  /** Counts of each value in {@code a} and {@code b}, both sorted, in value order. */
  private static Map<Double, long[]> counts(double[] a, double[] b) {
    Map<Double, long[]> counts = new java.util.TreeMap<>();
    for (double v : a) {
      counts.computeIfAbsent(v, x -> new long[2])[0]++;
    }
    for (double v : b) {
      counts.computeIfAbsent(v, x -> new long[2])[1]++;
    }
    return counts;
  }

  /**
   * {@code scipy.spatial.distance.jensenshannon(p, q)}: both normalised to sum 1, the square root
   * of the mean of the two Kullback–Leibler divergences to their midpoint, natural log.
   */
  static double jensenShannon(double[] p, double[] q) {
    double sp = Arrays.stream(p).sum();
    double sq = Arrays.stream(q).sum();
    double js = 0;
    for (int i = 0; i < p.length; i++) {
      double a = p[i] / sp;
      double b = q[i] / sq;
      double m = (a + b) / 2;
      js += (a > 0 ? a * Math.log(a / m) : 0) + (b > 0 ? b * Math.log(b / m) : 0);
    }
    return Math.sqrt(Math.max(js / 2, 0));
  }

  /** PSI = Σ (ref − cur) · ln(ref / cur) over bins whose shares are all above zero. */
  static double psi(double[] ref, double[] cur) {
    double s = 0;
    for (int i = 0; i < ref.length; i++) {
      s += (ref[i] - cur[i]) * Math.log(ref[i] / cur[i]);
    }
    return s;
  }
}
