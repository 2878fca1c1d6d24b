package io.mlqueue.app;

import io.mlqueue.plot.PlotConfig;
import io.mlqueue.plot.PlotService;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue plot}: redraws the error histogram whenever the metric log changes. */
@Command(
    name = "plot",
    description =
        "Draw the histogram of absolute errors from <log-dir>/metric_log.csv into"
            + " <log-dir>/error_distribution.png, again whenever the log changes.")
final class PlotCommand implements Callable<Integer> {
  @Mixin MetricCommand.LogDirOption logDir;

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
    service.start();
    Shutdown.awaitSignalThenClose("plot", service);
    return 0;
  }
}
