package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.metric.MetricLogWriter;
import io.mlqueue.metric.PairingBuffer;
import io.mlqueue.metric.WrittenIds;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.observe.Observability;
import io.mlqueue.observe.Tracing;
import io.mlqueue.stats.cost.CostModel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.DoubleBinaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue metric}: pairs {@code y_true} with {@code y_pred} into {@code metric_log.csv}. */
@Command(
    name = "metric",
    description =
        "Pair true answers (y_true) with predictions (y_pred) by id and append them to"
            + " <log-dir>/metric_log.csv; log running MAE, RMSE and R².")
final class MetricCommand implements Callable<Integer> {
  @Mixin AmqpOptions amqp;
  @Mixin TracingOptions tracing;
  @Mixin LogDirOption logDir;
  @Mixin MetricsOptions metrics;
  @Mixin MessageSizeOption messageSize;

  @Option(
      names = "--max-pending",
      paramLabel = "N",
      defaultValue = "20000",
      description =
          "Halves waiting for their partner, up to 65534; beyond it the oldest halves the other"
              + " queue has moved past (by sent_at) are dead-lettered as orphans, while halves"
              + " merely waiting stay. Also metric's prefetch per queue, which --prefetch does not"
              + " change (default: ${DEFAULT-VALUE}).")
  int maxPending;

  @Option(
      names = "--max-age",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "How long a half waits for its partner before it is dead-lettered as an orphan (default:"
              + " ${DEFAULT-VALUE}).")
  Duration maxAge;

  @Option(
      names = "--fsync",
      description = "Force every row to disk before acking (slower; survives a power cut).")
  boolean fsync;

  @Option(
      names = "--status-every",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How often to log the running metrics (default: ${DEFAULT-VALUE}).")
  Duration statusEvery;

  @Option(
      names = "--model-log",
      description =
          "Also log every model's rows to <log-dir>/model_log.csv, one per (id, model): the"
              + " champion's from y_pred and the challengers' from y_pred_shadow (model --shadow,"
              + " the gateway's canary and feedback); per-model quality on /metrics with a 'model'"
              + " label. metric_log.csv stays the champion's, as the course writes it.")
  boolean modelLog;

  @Option(
      names = "--quality-window",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "With --model-log: the sliding window of the per-model figures (default: ${DEFAULT-VALUE}).")
  Duration qualityWindow;

  @Option(
      names = "--cost",
      paramLabel = "FILE",
      description =
          "With --model-log: a cost file (YAML or JSON, as 'evaluate --cost' reads) pricing every"
              + " model's errors: mlqueue_metric_model_cost_total and cost per 1,000 predictions.")
  Path cost;

  @Override
  public Integer call() throws Exception {
    Shutdown.Guard guard = Shutdown.install("metric");
    // Registered before the services, so closed after them: their last spans are sent.
    Tracing traces = guard.closeOnStop(tracing.start("metric"));
    AmqpSettings settings = TracingOptions.traced(amqp.settings(), traces);
    PrometheusMeterRegistry registry = Observability.registry("metric");
    MetricService.Config config =
        config(logDir.dir).withPairDelays(ServiceMeters.pairDelays(registry));
    if (cost != null && !modelLog) {
      throw new IllegalArgumentException("--cost prices the model log's rows: add --model-log");
    }
    if (modelLog) {
      DoubleBinaryOperator price =
          cost == null
              ? (t, p) -> 0
              : CostModel.fromTree(EvaluateCommand.readTree(cost), cost.toString())::cost;
      config =
          config.withPerModel(
              MetricService.PerModelLog.on(
                  qualityWindow, price, ServiceMeters.perModel(registry, qualityWindow)));
    }
    Connection connection = guard.closeOnStop(BrokerConnector.connect(settings, "metric"));
    // Before consuming: a port that cannot be bound stops the service before it takes a message.
    guard.closeOnStop(metrics.start("metric", registry, connection));
    MetricService service =
        guard.closeOnStop(MetricService.start(connection, settings, config, Clock.systemUTC()));
    ServiceMeters.bind(service, registry);
    guard.awaitStop();
    return 0;
  }

  MetricService.Config config(Path dir) {
    return new MetricService.Config(
        dir,
        new PairingBuffer.Config(maxPending, maxAge),
        new MetricLogWriter.Config(fsync, WrittenIds.DEFAULT_CAPACITY),
        statusEvery,
        messageSize.bytes());
  }

  /** {@code --log-dir}, shared by metric, plot and demo. */
  static final class LogDirOption {
    @Option(
        names = "--log-dir",
        paramLabel = "DIR",
        defaultValue = "logs",
        description =
            "Where metric_log.csv and error_distribution.png live (default: ${DEFAULT-VALUE}, in the"
                + " working directory).")
    Path dir;
  }
}
