package io.mlqueue.stats.compare;

import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.bootstrap.ResampledStatistic;
import io.mlqueue.stats.bootstrap.Statistics;
import io.mlqueue.stats.errors.ErrorMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * One model's errors with a BCa bootstrap interval on each figure, all from the same resamples of
 * its rows.
 *
 * @param metrics the point estimates
 * @param mae MAE and its interval
 * @param rmse RMSE and its interval
 * @param r2 R² and its interval
 * @param quantiles quantiles of the absolute error, in the order asked for
 */
public record ErrorSummary(
    ErrorMetrics metrics, Interval mae, Interval rmse, Interval r2, List<Quantile> quantiles) {

  /** The absolute-error quantiles a report shows by default: median, 90th and 95th percentiles. */
  public static final List<Double> DEFAULT_QUANTILES = List.of(0.5, 0.9, 0.95);

  /**
   * A quantile of the absolute error.
   *
   * @param p the probability, e.g. 0.9
   * @param interval its estimate and interval
   */
  public record Quantile(double p, Interval interval) {}

  /** Summarises at least 2 pairs of true values and predictions. */
  public static ErrorSummary of(
      double[] actual, double[] predicted, List<Double> quantiles, Settings settings) {
    ErrorMetrics metrics = ErrorMetrics.of(actual, predicted);
    int n = actual.length;
    double[] abs = new double[n];
    double[] squared = new double[n];
    for (int i = 0; i < n; i++) {
      double e = actual[i] - predicted[i];
      abs[i] = Math.abs(e);
      squared[i] = e * e;
    }
    List<ResampledStatistic> statistics = new ArrayList<>();
    statistics.add(Statistics.mean(abs));
    statistics.add(Statistics.rootMean(squared));
    statistics.add(Statistics.r2(actual, predicted));
    for (double p : quantiles) {
      statistics.add(Statistics.quantile(abs, p));
    }
    List<Interval> intervals = settings.bootstrap().intervals(statistics);
    List<Quantile> qs = new ArrayList<>();
    for (int k = 0; k < quantiles.size(); k++) {
      qs.add(new Quantile(quantiles.get(k), intervals.get(3 + k)));
    }
    return new ErrorSummary(
        metrics, intervals.get(0), intervals.get(1), intervals.get(2), List.copyOf(qs));
  }
}
