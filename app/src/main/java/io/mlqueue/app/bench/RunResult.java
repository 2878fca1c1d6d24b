package io.mlqueue.app.bench;

/**
 * The figures of one benchmark run.
 *
 * @param pairs pairs sent
 * @param rows rows in the log when the clock stopped (equal to {@code pairs} unless it timed out)
 * @param seconds the time measured: from features' start, or (draining) from the first row, to the
 *     last row
 * @param modelCpu CPU seconds of model in that time; metricCpu, featuresCpu (at least: read while
 *     it ran) and brokerCpu likewise
 * @param modelRss peak resident memory in MiB; metricRss, featuresRss likewise
 * @param distinctIds distinct ids in the log at the end, and {@code loggedRows} rows in all
 * @param delays the fixed-rate run's delays, or null
 */
record RunResult(
    PipelineBench.Variant variant,
    int round,
    boolean drained,
    long pairs,
    long rows,
    double seconds,
    double modelCpu,
    double metricCpu,
    double featuresCpu,
    double brokerCpu,
    double modelRss,
    double metricRss,
    double featuresRss,
    long loggedRows,
    long distinctIds,
    FixedRateDelays delays) {

  double pairsPerSecond() {
    return rows / seconds;
  }

  long lost() {
    return Math.max(0, pairs - distinctIds);
  }

  long duplicated() {
    return loggedRows - distinctIds;
  }

  boolean ok() {
    return rows >= pairs && lost() == 0 && duplicated() == 0;
  }

  /** Broker CPU milliseconds per pair: the figure that decides throughput on a shared machine. */
  double brokerMillisPerPair() {
    return 1000 * brokerCpu / rows;
  }

  /** The delays of a run at a fixed rate: quantiles read from metric's histogram. */
  record FixedRateDelays(double rate, long pairs, String p50, String p99, String p999) {}

  static final class Builder {
    private final PipelineBench.Variant variant;
    private final int round;
    private final long pairs;
    private final boolean drained;
    private long rows;
    private double seconds;
    private double modelCpu = Double.NaN;
    private double metricCpu = Double.NaN;
    private double featuresCpu = Double.NaN;
    private double brokerCpu = Double.NaN;
    private double modelRss = Double.NaN;
    private double metricRss = Double.NaN;
    private double featuresRss = Double.NaN;
    private MetricLogWatch.Check check = new MetricLogWatch.Check(0, 0);
    private FixedRateDelays delays;

    Builder(PipelineBench.Variant variant, int round, long pairs, boolean drained) {
      this.variant = variant;
      this.round = round;
      this.pairs = pairs;
      this.drained = drained;
    }

    void timed(long rows, long nanos) {
      this.rows = rows;
      this.seconds = nanos / 1e9;
    }

    void cpu(double model, double metric, double features, double broker) {
      modelCpu = model;
      metricCpu = metric;
      featuresCpu = features;
      brokerCpu = broker;
    }

    void memory(double model, double metric, double features) {
      modelRss = model;
      metricRss = metric;
      featuresRss = features;
    }

    void check(MetricLogWatch.Check c) {
      check = c;
    }

    void delays(FixedRateDelays d) {
      delays = d;
    }

    RunResult build() {
      return new RunResult(
          variant,
          round,
          drained,
          pairs,
          rows,
          seconds,
          modelCpu,
          metricCpu,
          featuresCpu,
          brokerCpu,
          modelRss,
          metricRss,
          featuresRss,
          check.rows(),
          check.distinctIds(),
          delays);
    }
  }
}
