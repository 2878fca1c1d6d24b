package io.mlqueue.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.observe.MetricsServer;
import io.mlqueue.observe.Observability;
import io.mlqueue.plot.ModelWindows;
import io.mlqueue.plot.PlotConfig;
import io.mlqueue.plot.PlotDashboard;
import io.mlqueue.plot.PlotService;
import io.mlqueue.stats.cost.CostModel;
import java.io.IOException;
import java.nio.file.Path;
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

  @Mixin MetricCommand.LogDirOption logDir;
  @Mixin MetricsOptions metrics;

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
    Optional<MetricsServer> server =
        metrics.serve("plot", registry, service::isRunning, new PlotDashboard(service));
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
