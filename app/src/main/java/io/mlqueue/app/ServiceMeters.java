package io.mlqueue.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.metric.ModelQuality;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.model.service.Shadow;
import io.mlqueue.plot.ModelWindows;
import io.mlqueue.plot.PlotService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The services' own counts, read from them when Prometheus scrapes: the services keep plain
 * counters and know nothing of the registry (a distribution comes to them as a listener).
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

  static void bind(Shadow shadow, MeterRegistry registry) {
    FunctionCounter.builder("mlqueue.model.shadow.predictions", shadow, Shadow::predictions)
        .description("Rows the challenger (--shadow) predicted and published to y_pred_shadow")
        .register(registry);
    FunctionCounter.builder("mlqueue.model.shadow.failures", shadow, Shadow::failures)
        .description("Messages the challenger could not predict; the champion answered them alone")
        .register(registry);
  }

  /**
   * Registers one model's meters, labelled {@code model}, when metric first logs a row of it: rows
   * and cost since start as counters, and MAE, RMSE, R², row count and cost per 1,000 predictions
   * both over the sliding window ({@code window="5m"}, say) and since start ({@code window="all"}).
   */
  static BiConsumer<ModelQuality, String> perModel(MeterRegistry registry, Duration window) {
    String span =
        window.toSeconds() % 60 == 0 ? window.toMinutes() + "m" : window.toSeconds() + "s";
    return (quality, model) -> {
      FunctionCounter.builder("mlqueue.metric.model.rows", quality, q -> q.total(model).count())
          .description("Rows of this model in model_log.csv (before a restart included)")
          .tag("model", model)
          .register(registry);
      FunctionCounter.builder("mlqueue.metric.model.cost", quality, q -> q.total(model).cost())
          .description("What this model's errors cost by metric's --cost file (0 without one)")
          .tag("model", model)
          .register(registry);
      perSpan(registry, quality, model, span, q -> q.window(model));
      perSpan(registry, quality, model, "all", q -> q.total(model));
    };
  }

  private static void perSpan(
      MeterRegistry registry,
      ModelQuality quality,
      String model,
      String span,
      Function<ModelQuality, ModelQuality.Figures> figures) {
    Gauge.builder("mlqueue.metric.model.count", quality, q -> figures.apply(q).count())
        .description("Rows of this model in the span")
        .tag("model", model)
        .tag("window", span)
        .register(registry);
    Gauge.builder("mlqueue.metric.model.mae", quality, q -> figures.apply(q).mae())
        .description("This model's mean absolute error in the span")
        .tag("model", model)
        .tag("window", span)
        .register(registry);
    Gauge.builder("mlqueue.metric.model.rmse", quality, q -> figures.apply(q).rmse())
        .description("This model's root mean squared error in the span")
        .tag("model", model)
        .tag("window", span)
        .register(registry);
    Gauge.builder("mlqueue.metric.model.r2", quality, q -> figures.apply(q).r2())
        .description("This model's coefficient of determination in the span")
        .tag("model", model)
        .tag("window", span)
        .register(registry);
    Gauge.builder(
            "mlqueue.metric.model.cost.per.thousand",
            quality,
            q -> figures.apply(q).costPerThousand())
        .description("What 1,000 of this model's predictions cost in the span (--cost)")
        .tag("model", model)
        .tag("window", span)
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

  /**
   * Registers, when plot first reads a row of a model in model_log.csv, that model's rows and their
   * cost by plot's --cost file as counters labelled {@code model}; when two models first answer the
   * same id, the ids they share ({@code from}, {@code to}) and what each one's answers to them cost
   * ({@code model}, {@code paired_with}), whose difference over the pairs is the saving of
   * switching. All since plot started, the log's earlier rows included.
   */
  static ModelWindows.Listener plotPerModel(MeterRegistry registry) {
    return new ModelWindows.Listener() {
      @Override
      public void newModel(ModelWindows windows, String model) {
        FunctionCounter.builder("mlqueue.plot.model.rows", windows, w -> w.rows(model))
            .description("Rows of this model plot read from model_log.csv")
            .tag("model", model)
            .register(registry);
        FunctionCounter.builder("mlqueue.plot.model.cost", windows, w -> w.cost(model))
            .description(
                "What this model's predictions read by plot cost by its --cost file (0 without one)")
            .tag("model", model)
            .register(registry);
      }

      @Override
      public void newPair(ModelWindows windows, String from, String to) {
        FunctionCounter.builder("mlqueue.plot.pairs", windows, w -> w.pairs(from, to))
            .description(
                "Ids both models answered (a shadow), as plot read them from model_log.csv")
            .tag("from", from)
            .tag("to", to)
            .register(registry);
        pairedCost(registry, windows, from, to);
        pairedCost(registry, windows, to, from);
      }
    };
  }

  private static void pairedCost(
      MeterRegistry registry, ModelWindows windows, String model, String other) {
    FunctionCounter.builder("mlqueue.plot.paired.cost", windows, w -> w.pairedCost(model, other))
        .description(
            "What this model's answers to the ids it shares with paired_with cost (--cost)")
        .tag("model", model)
        .tag("paired_with", other)
        .register(registry);
  }

  static void bind(FeaturesService features, MeterRegistry registry) {
    FunctionCounter.builder(
            "mlqueue.features.confirmed", features, FeaturesService::confirmedMessages)
        .description("Messages (features and y_true) the broker confirmed")
        .register(registry);
  }
}
