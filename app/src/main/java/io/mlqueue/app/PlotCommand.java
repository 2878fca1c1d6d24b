package io.mlqueue.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.observe.MetricsServer;
import io.mlqueue.observe.Observability;
import io.mlqueue.plot.PlotConfig;
import io.mlqueue.plot.PlotDashboard;
import io.mlqueue.plot.PlotService;
import java.time.Duration;
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
            + " --metrics-port, the same port also serves a live dashboard of the histogram at /.")
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

  @Override
  public Integer call() throws Exception {
    PlotService service = new PlotService(PlotConfig.of(logDir.dir).withInterval(interval));
    if (once) {
      int rows = service.drawOnce();
      System.out.println("plot: drew " + rows + " rows into " + service.pngPath());
      return 0;
    }
    Shutdown.Guard guard = Shutdown.install("plot");
    guard.closeOnStop(service);
    PrometheusMeterRegistry registry = Observability.registry("plot");
    ServiceMeters.bind(service, registry);
    // The server first: a port that cannot be bound stops the command before anything runs.
    Optional<MetricsServer> server =
        metrics.serve("plot", registry, service::isRunning, new PlotDashboard(service));
    server.ifPresent(guard::closeOnStop);
    service.start();
    if (server.isPresent()) {
      log.info("plot: live dashboard at {}/", server.get().url());
    } else {
      log.info("plot: no dashboard; --metrics-port PORT serves it at / beside /metrics and /health");
    }
    guard.awaitStop();
    return 0;
  }
}
