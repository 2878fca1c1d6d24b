package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.observe.MetricsServer;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Option;

/** {@code --metrics-port}: Prometheus metrics and a health probe beside a broker service. */
final class MetricsOptions {
  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve GET /metrics (Prometheus) and GET /health on PORT (0: any free port; default: off).")
  Integer port;

  @Option(
      names = "--metrics-host",
      paramLabel = "HOST",
      defaultValue = "0.0.0.0",
      description = "Address for --metrics-port (default: ${DEFAULT-VALUE}).")
  String host;

  /** Starts the server if asked for; healthy while the broker connection is open. */
  AutoCloseable start(String service, PrometheusMeterRegistry registry, Connection connection) {
    return start(service, registry, connection::isOpen);
  }

  /** Starts the server if asked for; healthy while {@code healthy} says so. */
  AutoCloseable start(String service, PrometheusMeterRegistry registry, BooleanSupplier healthy) {
    if (port == null) {
      return () -> {};
    }
    return MetricsServer.start(service, host, port, registry, healthy);
  }
}
