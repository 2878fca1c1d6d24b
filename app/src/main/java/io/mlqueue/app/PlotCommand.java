package io.mlqueue.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.app.pipeline.DelayHistogram;
import io.mlqueue.app.pipeline.PipelineBoard;
import io.mlqueue.app.pipeline.QueueDepths;
import io.mlqueue.app.status.ManagementApi;
import io.mlqueue.observe.MetricsServer;
import io.mlqueue.observe.Observability;
import io.mlqueue.plot.DriftFeed;
import io.mlqueue.plot.ModelWindows;
import io.mlqueue.plot.PipelineFeed;
import io.mlqueue.plot.PlotConfig;
import io.mlqueue.plot.PlotDashboard;
import io.mlqueue.plot.PlotService;
import io.mlqueue.stats.cost.CostModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue plot}: redraws the error histogram whenever the metric log changes. */
@Command(
    name = "plot",
    description =
        "Draw the histogram of absolute errors from <log-dir>/metric_log.csv into"
            + " <log-dir>/error_distribution.png, again whenever the log changes. With"
            + " --metrics-port, the same port also serves a live dashboard at /: the histogram and,"
            + " from <log-dir>/model_log.csv (metric --model-log), every model's MAE, RMSE, R²,"
            + " throughput and cost over time.")
final class PlotCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(PlotCommand.class);

  /** How often the pipeline panel samples the queues and the delay. */
  static final Duration PANEL_EVERY = Duration.ofSeconds(2);

  /** The span of the delay distribution the panel shows. */
  static final Duration DELAY_WINDOW = Duration.ofMinutes(1);

  /** Samples of each queue's depth the panel keeps: 5 minutes at one every 2 s. */
  static final int QUEUE_HISTORY = 150;

  @Mixin MetricCommand.LogDirOption logDir;
  @Mixin MetricsOptions metrics;
  @Mixin AmqpOptions amqp;

  @Option(
      names = "--broker-stats",
      description =
          "Show the contract's queues on the dashboard (depth over the last minutes, consumers),"
              + " asking the broker of --amqp-uri every 2 s over a connection of its own; a broker"
              + " that cannot be reached is said on the page. Off by default: plot needs no broker.")
  boolean brokerStats;

  @Option(
      names = "--management-url",
      paramLabel = "URL",
      description =
          "With --broker-stats: RabbitMQ's management API, asked first for the queues (one request,"
              + " no channel errors in the broker's log for queues not declared); default: the"
              + " broker's host on port 15672 (15671 for amqps), same user. Where it does not"
              + " answer, the queues are asked over AMQP.")
  String managementUrl;

  @Option(
      names = "--metric-url",
      paramLabel = "URL",
      description =
          "metric's /metrics (e.g. http://metric:9100/metrics): the dashboard shows the pipeline's"
              + " delay over the last minute from its histogram "
              + DelayHistogram.NAME
              + ".")
  URI metricUrl;

  @Option(names = "--once", description = "Draw once and exit.")
  boolean once;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description = "How often to look for changes (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "The dashboard's time windows of model_log.csv: each one's length (default: ${DEFAULT-VALUE}).")
  Duration window;

  @Option(
      names = "--windows",
      paramLabel = "N",
      defaultValue = "60",
      description =
          "How many windows the dashboard keeps and plots, the current one included (default: ${DEFAULT-VALUE}).")
  int windows;

  @Option(
      names = "--cost",
      paramLabel = "FILE",
      description =
          "A cost file (YAML or JSON, as 'evaluate --cost' reads): the dashboard shows each model's"
              + " cost per 1,000 predictions and the saving of switching; mlqueue_plot_model_cost_total"
              + " on /metrics.")
  Path cost;

  @Override
  public Integer call() throws Exception {
    PrometheusMeterRegistry registry = Observability.registry("plot");
    PlotService service = service(registry);
    if (once) {
      int rows = service.drawOnce();
      System.out.println("plot: drew " + rows + " rows into " + service.pngPath());
      return 0;
    }
    Shutdown.Guard guard = Shutdown.install("plot");
    guard.closeOnStop(service);
    ServiceMeters.bind(service, registry);
    // The server first: a port that cannot be bound stops the command before anything runs.
    PipelineFeed pipeline = PipelineFeed.NONE;
    if (brokerStats || metricUrl != null) {
      pipeline = guard.closeOnStop(pipelineBoard());
    }
    Optional<MetricsServer> server =
        metrics.serve(
            "plot",
            registry,
            service::isRunning,
            new PlotDashboard(service, DriftFeed.NONE, pipeline));
    server.ifPresent(guard::closeOnStop);
    service.start();
    if (server.isPresent()) {
      log.info("plot: live dashboard at {}/", server.get().url());
    } else {
      log.info(
          "plot: no dashboard; --metrics-port PORT serves it at / beside /metrics and /health");
    }
    guard.awaitStop();
    return 0;
  }

  /** The pipeline panel these options ask for, sampling until closed. */
  private PipelineBoard pipelineBoard() {
    Optional<QueueDepths> queues = Optional.empty();
    if (brokerStats) {
      // A short connect timeout: the board tries again at its next sample.
      AmqpSettings settings = amqp.settings().withConnectTimeout(Duration.ofSeconds(1));
      queues =
          Optional.of(
              new QueueDepths(
                  () -> BrokerConnector.connect(settings, "plot"),
                  Optional.of(ManagementApi.of(settings, managementUrl)),
                  settings.vhost(),
                  StatusCommand.contractQueues(),
                  QUEUE_HISTORY));
      log.info("plot: the dashboard shows the queues of {}", settings.redactedUri());
    }
    Optional<PipelineBoard.DelaySource> delay =
        Optional.ofNullable(metricUrl).map(PlotCommand::delayAt);
    return PipelineBoard.start(queues, delay, Clock.systemUTC(), PANEL_EVERY, DELAY_WINDOW);
  }

  /** The delay histogram metric registers in {@code registry}, once it has (the demo's). */
  static PipelineBoard.DelaySource delayIn(MeterRegistry registry) {
    return () ->
        Optional.ofNullable(registry.find("mlqueue.metric.pair.delay").timer())
            .map(DelayHistogram::of);
  }

  /** The delay histogram in the Prometheus text served at {@code url}. */
  static PipelineBoard.DelaySource delayAt(URI url) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return () -> {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new java.io.IOException(url + " answered " + r.statusCode());
      }
      return DelayHistogram.parse(r.body());
    };
  }

  /**
   * The service these options describe: its {@code model_log.csv} windows priced by {@code --cost},
   * each model's counters registered in {@code registry} when it first has a row.
   */
  PlotService service(MeterRegistry registry) throws IOException {
    Optional<CostModel> costModel =
        cost == null
            ? Optional.empty()
            : Optional.of(CostModel.fromTree(EvaluateCommand.readTree(cost), cost.toString()));
    ModelWindows modelWindows =
        new ModelWindows(
            window,
            windows,
            costModel,
            InstantSource.system(),
            ServiceMeters.plotPerModel(registry));
    return new PlotService(PlotConfig.of(logDir.dir).withInterval(interval), modelWindows);
  }
}
