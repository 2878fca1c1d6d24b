package io.mlqueue.stats.bootstrap;

import io.mlqueue.stats.errors.ErrorMetrics;
import io.mlqueue.stats.errors.Quantiles;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The statistics {@code evaluate} puts intervals on, each with its resampled value in one pass and
 * its jackknife in closed form (leave-one-out sums, or order statistics for quantiles), so BCa
 * costs no more than the percentile method.
 */
public final class Statistics {
  private Statistics() {}

  /** The mean of {@code x} (e.g. of absolute errors: the MAE; of costs: the cost per row). */
  public static ResampledStatistic mean(double[] x) {
    return new Mean(requireData(x), false);
  }

  /** The square root of the mean of {@code x}, e.g. of squared errors: the RMSE. */
  public static ResampledStatistic rootMean(double[] x) {
    for (double v : requireData(x)) {
      if (v < 0) {
        throw new IllegalArgumentException("root of a mean of negative values: " + v);
      }
    }
    return new Mean(x, true);
  }

  /** The {@code p} quantile of {@code x}, type 7 as {@link Quantiles}. */
  public static ResampledStatistic quantile(double[] x, double p) {
    return new Quantile(requireData(x), p);
  }

  /** R² of {@code predicted} against {@code actual}, pairs resampled together. */
  public static ResampledStatistic r2(double[] actual, double[] predicted) {
    requireData(actual);
    if (actual.length != predicted.length) {
      throw new IllegalArgumentException(
          actual.length + " true values but " + predicted.length + " predictions");
    }
    return new R2(actual, predicted);
  }

  private static double[] requireData(double[] x) {
    if (x.length < 2) {
      throw new IllegalArgumentException(
          "a bootstrap needs at least 2 observations, got " + x.length);
    }
    return x;
  }

  private record Mean(double[] x, boolean root) implements ResampledStatistic {
    @Override
    public int size() {
      return x.length;
    }

    @Override
    public double estimate() {
      double sum = 0;
      for (double v : x) {
        sum += v;
      }
      return finish(sum / x.length);
    }

    @Override
    public double resampled(int[] counts) {
      double sum = 0;
      for (int i = 0; i < x.length; i++) {
        sum += counts[i] * x[i];
      }
      return finish(sum / x.length);
    }

    @Override
    public double[] jackknife() {
      double sum = 0;
      for (double v : x) {
        sum += v;
      }
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = finish((sum - x[i]) / (x.length - 1));
      }
      return out;
    }

    private double finish(double mean) {
      return root ? Math.sqrt(Math.max(0, mean)) : mean;
    }
  }

  private static final class Quantile implements ResampledStatistic {
    private final double p;
    private final int[] order; // observation indices in ascending order of value
    private final double[] sorted;
    private final int[] rank; // rank[i]: position of observation i in sorted

    Quantile(double[] x, double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("quantile " + p + " is outside [0, 1]");
      }
      this.p = p;
      order =
          IntStream.range(0, x.length)
              .boxed()
              .sorted(Comparator.comparingDouble(i -> x[i]))
              .mapToInt(Integer::intValue)
              .toArray();
      sorted = new double[x.length];
      rank = new int[x.length];
      for (int r = 0; r < order.length; r++) {
        sorted[r] = x[order[r]];
        rank[order[r]] = r;
      }
    }

    @Override
    public int size() {
      return sorted.length;
    }

    @Override
    public double estimate() {
      return Quantiles.ofSorted(sorted, p);
    }

    @Override
    public double resampled(int[] counts) {
      // The resample, sorted, is each value repeated counts times in ascending order: walk it to
      // the two order statistics that type 7 interpolates between.
      int n = sorted.length;
      double h = (n - 1) * p;
      int lo = (int) Math.floor(h);
      int hi = Math.min(lo + 1, n - 1);
      double loValue = Double.NaN;
      int seen = 0;
      for (int r = 0; r < n; r++) {
        seen += counts[order[r]];
        if (Double.isNaN(loValue) && seen > lo) {
          loValue = sorted[r];
        }
        if (seen > hi) {
          return loValue + (h - lo) * (sorted[r] - loValue);
        }
      }
      throw new IllegalArgumentException("resample counts add up to " + seen + ", not " + n);
    }

    @Override
    public double[] jackknife() {
      int n = sorted.length;
      double h = (n - 2) * p;
      int lo = (int) Math.floor(h);
      int hi = Math.min(lo + 1, n - 2);
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        int r = rank[i];
        double a = sorted[lo < r ? lo : lo + 1];
        double b = sorted[hi < r ? hi : hi + 1];
        out[i] = a + (h - lo) * (b - a);
      }
      return out;
    }
  }

  private record R2(double[] actual, double[] predicted) implements ResampledStatistic {
    @Override
    public int size() {
      return actual.length;
    }

    @Override
    public double estimate() {
      return ErrorMetrics.of(actual, predicted).r2();
    }

    @Override
    public double resampled(int[] counts) {
      int n = actual.length;
      double sumTrue = 0;
      double ssRes = 0;
      for (int i = 0; i < n; i++) {
        if (counts[i] != 0) {
          sumTrue += counts[i] * actual[i];
          double e = actual[i] - predicted[i];
          ssRes += counts[i] * e * e;
        }
      }
      double mean = sumTrue / n;
      double ssTot = 0;
      for (int i = 0; i < n; i++) {
        if (counts[i] != 0) {
          double d = actual[i] - mean;
          ssTot += counts[i] * d * d;
        }
      }
      return ErrorMetrics.r2(ssRes, ssTot);
    }

    @Override
    public double[] jackknife() {
      int n = actual.length;
      double mean = Arrays.stream(actual).sum() / n;
      double ssRes = 0;
      double ssTot = 0;
      for (int i = 0; i < n; i++) {
        double e = actual[i] - predicted[i];
        ssRes += e * e;
        double d = actual[i] - mean;
        ssTot += d * d;
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        double e = actual[i] - predicted[i];
        double d = actual[i] - mean;
        // Removing one point from a sum of squared deviations: SS' = SS − n/(n−1)·(y_i − ȳ)².
        out[i] = ErrorMetrics.r2(ssRes - e * e, ssTot - d * d * n / (n - 1.0));
      }
      return out;
    }
  }
}
