package io.mlqueue.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.plot.PlotService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The services' own counts, read from them when Prometheus scrapes: the services keep plain counters
 * and know nothing of the registry (a distribution comes to them as a listener).
 */
final class ServiceMeters {
  private ServiceMeters() {}

  static void bind(ModelService model, MeterRegistry registry) {
    FunctionCounter.builder("mlqueue.model.predictions", model, ModelService::predictions)
        .description("Feature vectors of the stream predicted and published to y_pred")
        .register(registry);
    FunctionCounter.builder("mlqueue.model.rejected", model, ModelService::rejected)
        .description("Feature vectors dead-lettered as invalid")
        .register(registry);
  }

  static void bind(MetricService metric, MeterRegistry registry) {
    FunctionCounter.builder("mlqueue.metric.rows", metric, MetricService::rowsWritten)
        .description("Rows this process wrote to metric_log.csv")
        .register(registry);
    FunctionCounter.builder("mlqueue.metric.orphans", metric, MetricService::orphans)
        .description("Halves dead-lettered because their partner did not come")
        .register(registry);
    Gauge.builder("mlqueue.metric.pending", metric, MetricService::pendingCount)
        .description("Halves waiting for their partner")
        .register(registry);
    Gauge.builder("mlqueue.metric.mae", metric, m -> m.metrics().mae())
        .description("Mean absolute error over every row of the log")
        .register(registry);
    Gauge.builder("mlqueue.metric.rmse", metric, m -> m.metrics().rmse())
        .description("Root mean squared error over every row of the log")
        .register(registry);
    Gauge.builder("mlqueue.metric.r2", metric, m -> m.metrics().r2())
        .description("Coefficient of determination over every row of the log")
        .register(registry);
  }

  /**
   * A histogram of how long pairs take from features sending them ({@code sent_at}) to metric
   * writing their row: the pipeline's delay, queues included. Buckets from 1 ms to 5 minutes, for
   * Prometheus' {@code histogram_quantile}.
   */
  static LongConsumer pairDelays(MeterRegistry registry) {
    Timer timer =
        Timer.builder("mlqueue.metric.pair.delay")
            .description("From features sending a pair (sent_at) to its row in metric_log.csv")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
    return millis -> timer.record(millis, TimeUnit.MILLISECONDS);
  }

  static void bind(PlotService plot, MeterRegistry registry) {
    FunctionCounter.builder("mlqueue.plot.draws", plot, PlotService::drawCount)
        .description("Histograms drawn")
        .register(registry);
    Gauge.builder("mlqueue.plot.rows", plot, PlotService::rowsPlotted)
        .description("Rows in the last histogram drawn (-1 before the first)")
        .register(registry);
  }

  static void bind(FeaturesService features, MeterRegistry registry) {
    FunctionCounter.builder("mlqueue.features.confirmed", features, FeaturesService::confirmedMessages)
        .description("Messages (features and y_true) the broker confirmed")
        .register(registry);
  }
}
