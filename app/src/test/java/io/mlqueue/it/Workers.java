package io.mlqueue.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A model and a metric of one test, started side by side. */
record Workers(ServiceProcess model, ServiceProcess metric) {
  private static final Duration READY = Duration.ofSeconds(30);

  /**
   * Starts {@code model-<n>} and {@code metric-<n>} (logging to {@code logDir}, with {@code
   * metricOptions}) against {@code uri}, side by side, and waits until both consume.
   */
  static Workers start(
      ServiceProcesses services, String uri, Path logDir, int n, String... metricOptions)
      throws Exception {
    ServiceProcess model = services.mlqueue("model-" + n, uri, "model");
    List<String> metricArgs = new ArrayList<>(List.of("metric", "--log-dir", logDir.toString()));
    metricArgs.addAll(List.of(metricOptions));
    ServiceProcess metric = services.mlqueue("metric-" + n, uri, metricArgs.toArray(String[]::new));
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);
    return new Workers(model, metric);
  }

  /** Both, then {@code others}. */
  ServiceProcess[] all(ServiceProcess... others) {
    List<ServiceProcess> all = new ArrayList<>(List.of(model, metric));
    all.addAll(List.of(others));
    return all.toArray(ServiceProcess[]::new);
  }
}
