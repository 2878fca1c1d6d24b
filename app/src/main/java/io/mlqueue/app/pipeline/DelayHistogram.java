package io.mlqueue.app.pipeline;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pipeline's delay histogram ({@code mlqueue_metric_pair_delay_seconds}: from features' {@code
 * sent_at} to the pair's row in {@code metric_log.csv}) at one moment, as cumulative counts per
 * upper bound in seconds, the last bound {@code +Inf}; read from metric's timer in the same
 * process, or from the text metric's {@code /metrics} serves.
 *
 * @param cumulative count of pairs at most each bound, in increasing order of the bounds
 */
public record DelayHistogram(TreeMap<Double, Double> cumulative) {
  /** The histogram's Prometheus name. */
  public static final String NAME = "mlqueue_metric_pair_delay_seconds";

  private static final Pattern BUCKET =
      Pattern.compile("^" + NAME + "_bucket\\{.*le=\"([^\"]+)\".*\\}\\s+(\\S+)(\\s+\\S+)?$");

  /** Pairs counted in all. */
  public double total() {
    return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
  }

  /** What {@code timer} has recorded, its buckets in seconds. */
  public static DelayHistogram of(Timer timer) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    var snapshot = timer.takeSnapshot();
    for (CountAtBucket b : snapshot.histogramCounts()) {
      buckets.put(b.bucket(TimeUnit.SECONDS), b.count());
    }
    buckets.put(Double.POSITIVE_INFINITY, (double) snapshot.count());
    return new DelayHistogram(buckets);
  }

  /**
   * The histogram in a Prometheus text exposition ({@code /metrics}), or empty when it has none:
   * the {@code _bucket} lines of {@value #NAME}, summed over their other labels.
   */
  public static Optional<DelayHistogram> parse(String exposition) {
    TreeMap<Double, Double> buckets = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      Matcher m = BUCKET.matcher(line.strip());
      if (m.matches()) {
        double le =
            m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
        buckets.merge(le, Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return buckets.isEmpty() ? Optional.empty() : Optional.of(new DelayHistogram(buckets));
  }

  /**
   * The pairs counted since {@code earlier} per bucket, not cumulative: {@code bound → count} for
   * every bound of this histogram (a bound {@code earlier} lacks counts from 0).
   */
  public TreeMap<Double, Double> since(DelayHistogram earlier) {
    TreeMap<Double, Double> counts = new TreeMap<>();
    double below = 0;
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      double now = b.getValue() - earlier.cumulative.getOrDefault(b.getKey(), 0.0);
      counts.put(b.getKey(), Math.max(0, now - below));
      below = Math.max(below, now);
    }
    return counts;
  }

  /**
   * The upper bound of the bucket holding quantile {@code q} of {@code counts} (as {@link #since}
   * gives them): an upper bound of the quantile, as Prometheus' buckets allow; NaN when empty.
   */
  public static double quantileBound(TreeMap<Double, Double> counts, double q) {
    double total = counts.values().stream().mapToDouble(Double::doubleValue).sum();
    if (total <= 0) {
      return Double.NaN;
    }
    double seen = 0;
    for (Map.Entry<Double, Double> b : counts.entrySet()) {
      seen += b.getValue();
      if (seen >= q * total) {
        return b.getKey();
      }
    }
    return counts.lastKey();
  }
}
