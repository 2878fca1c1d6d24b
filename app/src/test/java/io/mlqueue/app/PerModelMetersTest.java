package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.metric.ModelQuality;
import io.mlqueue.plot.ModelWindows;
import io.mlqueue.stats.cost.CostModel;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** metric's per-model meters, as Prometheus scrapes them. */
class PerModelMetersTest {
  @Test
  void eachModelGetsItsQualityAndCostUnderAModelLabelForTheWindowAndSinceStart() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    ModelQuality quality =
        new ModelQuality(
            Duration.ofMinutes(5),
            1_000,
            (t, p) -> 2 * Math.abs(t - p),
            InstantSource.fixed(now),
            ServiceMeters.perModel(registry, Duration.ofMinutes(5)));
    quality.add("diabetes:1", 100, 90);
    quality.add("diabetes:1", 50, 54);
    quality.add("diabetes:2", 100, 99);
    quality.add("diabetes:2", 10, 10, now.minusSeconds(600).toEpochMilli()); // before the window

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("mlqueue_metric_model_mae{model=\"diabetes:1\",window=\"5m\"} 7.0")
        .contains("mlqueue_metric_model_mae{model=\"diabetes:1\",window=\"all\"} 7.0")
        .contains("mlqueue_metric_model_count{model=\"diabetes:2\",window=\"5m\"} 1.0")
        .contains("mlqueue_metric_model_count{model=\"diabetes:2\",window=\"all\"} 2.0")
        .contains("mlqueue_metric_model_rows_total{model=\"diabetes:2\"} 2.0")
        .contains("mlqueue_metric_model_cost_total{model=\"diabetes:1\"} 28.0")
        .contains(
            "mlqueue_metric_model_cost_per_thousand{model=\"diabetes:1\",window=\"5m\"} 14000.0")
        .contains("mlqueue_metric_model_r2{model=\"diabetes:1\",window=\"all\"}");
  }

  @Test
  void plotCountsEachModelsRowsAndCostAndTheSharedIdsWithEachSidesCost() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Instant now = Instant.now();
    ModelWindows windows =
        new ModelWindows(
            Duration.ofSeconds(10),
            6,
            Optional.of(new CostModel("EUR", 2, 1, List.of())),
            InstantSource.system(),
            ServiceMeters.plotPerModel(registry));
    windows.add(ModelLog.Row.of("a", "diabetes:1", 100, 110, now)); // over by 10: 10
    windows.add(ModelLog.Row.of("a", "diabetes:2", 100, 97, now)); // under by 3: 6
    windows.add(ModelLog.Row.of("b", "diabetes:1", 100, 104, now)); // 4, answered alone

    assertThat(registry.scrape())
        .contains("mlqueue_plot_model_rows_total{model=\"diabetes:1\"} 2.0")
        .contains("mlqueue_plot_model_cost_total{model=\"diabetes:1\"} 14.0")
        .contains("mlqueue_plot_model_cost_total{model=\"diabetes:2\"} 6.0")
        .contains("mlqueue_plot_pairs_total{from=\"diabetes:1\",to=\"diabetes:2\"} 1.0")
        .contains(
            "mlqueue_plot_paired_cost_total{model=\"diabetes:1\",paired_with=\"diabetes:2\"} 10.0")
        .contains(
            "mlqueue_plot_paired_cost_total{model=\"diabetes:2\",paired_with=\"diabetes:1\"} 6.0");
  }
}
