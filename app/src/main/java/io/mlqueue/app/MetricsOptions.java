package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.helidon.webserver.http.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.observe.MetricsServer;
import java.util.Optional;
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
    return serve(service, registry, healthy).<AutoCloseable>map(s -> s).orElse(() -> {});
  }

  /** The server, with the service's own {@code routes} beside the two, if a port was asked for. */
  Optional<MetricsServer> serve(
      String service,
      PrometheusMeterRegistry registry,
      BooleanSupplier healthy,
      HttpService... routes) {
    if (port == null) {
      return Optional.empty();
    }
    return Optional.of(
        Listening.on(
            "--metrics-port",
            port,
            () -> MetricsServer.start(service, host, port, registry, healthy, routes)));
  }
}
