package io.mlqueue.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DelayHistogramTest {
  @Test
  void theTimerAndItsPrometheusTextGiveTheSameHistogram() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Timer timer =
        Timer.builder("mlqueue.metric.pair.delay")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
    for (int ms : new int[] {1, 2, 2, 3, 5, 8, 40, 250}) {
      timer.record(ms, TimeUnit.MILLISECONDS);
    }
    DelayHistogram direct = DelayHistogram.of(timer);
    DelayHistogram scraped = DelayHistogram.parse(registry.scrape()).orElseThrow();
    assertThat(direct.total()).isEqualTo(8);
    assertThat(scraped.total()).isEqualTo(8);
    assertThat(scraped.cumulative().keySet()).containsAll(direct.cumulative().keySet());
    direct
        .cumulative()
        .forEach(
            (le, count) ->
                assertThat(scraped.cumulative().get(le)).as("le %s", le).isEqualTo(count));
  }

  @Test
  void bucketLinesAreSummedOverOtherLabelsAndOtherFamiliesIgnored() {
    String text =
        """
        # HELP mlqueue_metric_pair_delay_seconds From features sending a pair
        # TYPE mlqueue_metric_pair_delay_seconds histogram
        mlqueue_metric_pair_delay_seconds_bucket{instance="a",le="0.001"} 2
        mlqueue_metric_pair_delay_seconds_bucket{instance="a",le="0.01"} 5
        mlqueue_metric_pair_delay_seconds_bucket{instance="a",le="+Inf"} 6
        mlqueue_metric_pair_delay_seconds_bucket{instance="b",le="0.001"} 1
        mlqueue_metric_pair_delay_seconds_bucket{instance="b",le="0.01"} 1
        mlqueue_metric_pair_delay_seconds_bucket{instance="b",le="+Inf"} 4 1733400000000
        mlqueue_metric_pair_delay_seconds_count{instance="a"} 6
        mlqueue_gateway_delay_seconds_bucket{le="0.001"} 99
        """;
    DelayHistogram h = DelayHistogram.parse(text).orElseThrow();
    assertThat(h.cumulative())
        .containsExactly(
            java.util.Map.entry(0.001, 3.0),
            java.util.Map.entry(0.01, 6.0),
            java.util.Map.entry(Double.POSITIVE_INFINITY, 10.0));
    assertThat(DelayHistogram.parse("# nothing here\nup 1\n")).isEmpty();
  }

  @Test
  void theCountsSinceAnEarlierHistogramGiveTheQuantilesOfThatSpanOnly() {
    DelayHistogram earlier = histogram(0.001, 100, 0.01, 100, Double.POSITIVE_INFINITY, 100);
    // Since then: 50 pairs ≤ 1 ms, 45 in (1, 10] ms, 5 above 10 ms.
    DelayHistogram now = histogram(0.001, 150, 0.01, 195, Double.POSITIVE_INFINITY, 200);
    TreeMap<Double, Double> counts = now.since(earlier);
    assertThat(counts.values()).containsExactly(50.0, 45.0, 5.0);
    assertThat(DelayHistogram.quantileBound(counts, 0.5)).isEqualTo(0.001);
    assertThat(DelayHistogram.quantileBound(counts, 0.9)).isEqualTo(0.01);
    assertThat(DelayHistogram.quantileBound(counts, 0.99)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(DelayHistogram.quantileBound(now.since(now), 0.5)).isNaN();
  }

  private static DelayHistogram histogram(double... leAndCount) {
    TreeMap<Double, Double> m = new TreeMap<>();
    for (int i = 0; i < leAndCount.length; i += 2) {
      m.put(leAndCount[i], leAndCount[i + 1]);
    }
    return new DelayHistogram(m);
  }
}
