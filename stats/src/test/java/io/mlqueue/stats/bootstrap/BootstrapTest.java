package io.mlqueue.stats.bootstrap;

import static io.mlqueue.stats.Fixtures.doubles;
import static io.mlqueue.stats.Fixtures.indices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.stats.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Percentile and BCa intervals against NumPy on the very same resamples (exact to rounding), and
 * against {@code scipy.stats.bootstrap} itself within Monte Carlo tolerance.
 */
class BootstrapTest {
  private static final double EXACT = 1e-9;

  private final JsonNode fixed = Fixtures.get("bootstrap_fixed");

  private static Bootstrap bootstrap(int resamples) {
    return new Bootstrap(resamples, 0.95, 1);
  }

  private void check(JsonNode c, Interval bca, Interval percentile) {
    assertThat(bca.estimate()).isCloseTo(c.get("estimate").asDouble(), within(EXACT));
    assertThat(bca.method()).isEqualTo(Bootstrap.BCA);
    assertThat(bca.lower()).isCloseTo(c.get("bca").get(0).asDouble(), within(EXACT));
    assertThat(bca.upper()).isCloseTo(c.get("bca").get(1).asDouble(), within(EXACT));
    assertThat(percentile.lower()).isCloseTo(c.get("percentile").get(0).asDouble(), within(EXACT));
    assertThat(percentile.upper()).isCloseTo(c.get("percentile").get(1).asDouble(), within(EXACT));
  }

  @Test
  void oneSampleStatisticsMatchNumPyOnTheSameResamples() {
    JsonNode one = fixed.get("one_sample");
    double[] x = doubles(one.get("x"));
    double[] squaredRoot = x; // root_mean in the fixture is sqrt(mean(x))
    int[][] idx = indices(one.get("indices"));
    List<ResampledStatistic> statistics =
        List.of(
            Statistics.mean(x),
            Statistics.quantile(x, 0.9),
            Statistics.rootMean(squaredRoot),
            Statistics.r2(doubles(one.get("y_true")), doubles(one.get("y_pred"))));
    Bootstrap b = bootstrap(idx.length);
    List<Interval> bca = b.intervals(statistics, Resamples.fixed(idx));
    List<double[]> raw = percentiles(statistics, idx);
    String[] names = {"mean", "quantile_0.9", "root_mean", "r2"};
    for (int k = 0; k < names.length; k++) {
      JsonNode c = one.get("cases").get(names[k]);
      Interval p = new Interval(0, raw.get(k)[0], raw.get(k)[1], 0.95, Bootstrap.PERCENTILE);
      check(c, bca.get(k), p);
    }
  }

  /** The percentile ends, from the same resamples, through the public API's fallback path. */
  private static List<double[]> percentiles(List<ResampledStatistic> statistics, int[][] idx) {
    return statistics.stream()
        .map(
            s -> {
              double[] values = new double[idx.length];
              Resamples r = Resamples.fixed(idx);
              int[] counts = new int[s.size()];
              for (int b = 0; b < idx.length; b++) {
                r.next(counts);
                values[b] = s.resampled(counts);
              }
              java.util.Arrays.sort(values);
              return new double[] {
                io.mlqueue.stats.errors.Quantiles.ofSorted(values, 0.025),
                io.mlqueue.stats.errors.Quantiles.ofSorted(values, 0.975)
              };
            })
        .toList();
  }

  @Test
  void twoSampleDifferenceMatchesNumPyOnTheSameResamples() {
    JsonNode two = fixed.get("two_sample");
    int[][] ia = indices(two.get("indices_a"));
    Interval i =
        bootstrap(ia.length)
            .difference(
                Statistics.mean(doubles(two.get("a"))),
                Statistics.mean(doubles(two.get("b"))),
                Resamples.fixed(ia),
                Resamples.fixed(indices(two.get("indices_b"))));
    assertThat(i.estimate()).isCloseTo(two.get("estimate").asDouble(), within(EXACT));
    assertThat(i.lower()).isCloseTo(two.get("bca").get(0).asDouble(), within(EXACT));
    assertThat(i.upper()).isCloseTo(two.get("bca").get(1).asDouble(), within(EXACT));
  }

  /**
   * Seeded resamples of our own against SciPy's BCa with 20,000 resamples: each end of either
   * interval is a Monte Carlo estimate; they must agree within 3 combined Monte Carlo standard
   * errors of a quantile of the bootstrap distribution, bounded here by a fraction of the bootstrap
   * standard error (≈ se · 0.1 for 20,000 resamples at the 2.5% tail).
   */
  @Test
  void seededIntervalsAgreeWithScipyWithinMonteCarloError() {
    JsonNode scipy = Fixtures.get("scipy_bootstrap");
    JsonNode one = fixed.get("one_sample");
    double[] x = doubles(one.get("x"));
    Bootstrap b = bootstrap(20000);
    Interval mean = b.interval(Statistics.mean(x));
    double tol = 0.1 * scipy.get("mean_standard_error").asDouble();
    assertThat(mean.lower()).isCloseTo(scipy.get("mean").get(0).asDouble(), within(tol));
    assertThat(mean.upper()).isCloseTo(scipy.get("mean").get(1).asDouble(), within(tol));

    Interval q = b.interval(Statistics.quantile(x, 0.9));
    // Quantiles of 40 values jump between order statistics: a looser tolerance.
    double tolQ = 0.3 * scipy.get("quantile_0.9_standard_error").asDouble();
    assertThat(q.lower()).isCloseTo(scipy.get("quantile_0.9").get(0).asDouble(), within(tolQ));
    assertThat(q.upper()).isCloseTo(scipy.get("quantile_0.9").get(1).asDouble(), within(tolQ));

    JsonNode two = fixed.get("two_sample");
    Interval d =
        b.difference(
            Statistics.mean(doubles(two.get("a"))), Statistics.mean(doubles(two.get("b"))));
    double tolD = 0.1 * scipy.get("difference_standard_error").asDouble();
    assertThat(d.lower()).isCloseTo(scipy.get("difference").get(0).asDouble(), within(tolD));
    assertThat(d.upper()).isCloseTo(scipy.get("difference").get(1).asDouble(), within(tolD));
  }

  @Test
  void sameSeedSameInterval() {
    double[] x = doubles(fixed.get("one_sample").get("x"));
    assertThat(bootstrap(500).interval(Statistics.mean(x)))
        .isEqualTo(bootstrap(500).interval(Statistics.mean(x)));
    assertThat(new Bootstrap(500, 0.95, 2).interval(Statistics.mean(x)))
        .isNotEqualTo(bootstrap(500).interval(Statistics.mean(x)));
  }

  @Test
  void constantDataFallsBackToThePercentileMethod() {
    Interval i = bootstrap(200).interval(Statistics.mean(new double[] {2, 2, 2, 2}));
    assertThat(i.method()).isEqualTo(Bootstrap.PERCENTILE);
    assertThat(i.lower()).isEqualTo(2.0);
    assertThat(i.upper()).isEqualTo(2.0);
  }

  @Test
  void quantileOfCountsEqualsQuantileOfTheExpandedResample() {
    double[] x = {5, 1, 4, 2, 3, 3};
    ResampledStatistic q = Statistics.quantile(x, 0.7);
    int[] counts = {0, 2, 1, 0, 3, 0}; // 1, 1, 4, 3, 3, 3 -> sorted 1 1 3 3 3 4
    double[] expanded = {1, 1, 3, 3, 3, 4};
    assertThat(q.resampled(counts))
        .isEqualTo(io.mlqueue.stats.errors.Quantiles.ofSorted(expanded, 0.7));
  }
}
