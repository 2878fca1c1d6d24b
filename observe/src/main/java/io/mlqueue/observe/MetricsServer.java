package io.mlqueue.observe;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server beside a broker service: {@code GET /metrics} for Prometheus, {@code GET
 * /health} for probes (200 when the service says it is healthy, else 503).
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final WebServer server;

  private MetricsServer(WebServer server) {
    this.server = server;
  }

  /**
   * Serves on {@code host:port} (port 0 for any free one).
   *
   * @param healthy whether the service is connected and working, for {@code /health}
   */
  public static MetricsServer start(
      String service, String host, int port, PrometheusMeterRegistry registry, BooleanSupplier healthy) {
    WebServer server =
        WebServer.builder()
            .host(host)
            .port(port)
            .routing(
                r ->
                    r.get("/metrics",
                            (req, res) -> {
                              res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
                              res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
                            })
                        .get("/health",
                            (req, res) -> {
                              boolean ok = healthy.getAsBoolean();
                              res.status(ok ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
                              res.header(HeaderNames.CONTENT_TYPE, "application/json");
                              res.send("{\"status\":\"" + (ok ? "ready" : "not_ready") + "\",\"service\":\""
                                  + service + "\"}");
                            }))
            .build()
            .start();
    log.info("{}: metrics on http://{}:{}/metrics, health on /health", service,
        "0.0.0.0".equals(host) ? "127.0.0.1" : host, server.port());
    return new MetricsServer(server);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
