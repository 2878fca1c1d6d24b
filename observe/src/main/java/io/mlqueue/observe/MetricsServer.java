package io.mlqueue.observe;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server beside a broker service: {@code GET /metrics} for Prometheus, {@code GET
 * /health} for probes (200 when the service says it is healthy, else 503), and whatever routes the
 * service adds (the plot service's dashboard), so one port serves everything a service shows.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final WebServer server;
  private final String host;

  private MetricsServer(WebServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /**
   * Serves on {@code host:port} (port 0 for any free one).
   *
   * @param healthy whether the service is connected and working, for {@code /health}
   * @param routes more routes of the service; {@code /metrics} and {@code /health} are matched
   *     first, so a service cannot shadow them by accident
   * @throws IllegalStateException {@code cannot listen on HOST:PORT: REASON} when the address
   *     cannot be bound (the port is taken, the host is not an address of this machine): a service
   *     without its probes must not run on unnoticed
   */
  public static MetricsServer start(
      String service,
      String host,
      int port,
      PrometheusMeterRegistry registry,
      BooleanSupplier healthy,
      HttpService... routes) {
    // Helidon logs a failed bind with a stack trace and returns a server that is not running (port
    // -1) instead of throwing. Binding once first turns the usual case, a port taken, into one
    // clear
    // exception; the check after the start catches a race lost to another process.
    requireBindable(host, port);
    WebServer server =
        WebServer.builder()
            .host(host)
            .port(port)
            .routing(
                r ->
                    r.get(
                            "/metrics",
                            (req, res) -> {
                              res.header(HeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
                              res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
                            })
                        .get(
                            "/health",
                            (req, res) -> {
                              boolean ok = healthy.getAsBoolean();
                              res.status(ok ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
                              res.header(HeaderNames.CONTENT_TYPE, "application/json");
                              res.header(HeaderNames.CACHE_CONTROL, "no-store");
                              res.send(
                                  "{\"status\":\""
                                      + (ok ? "ready" : "not_ready")
                                      + "\",\"service\":\""
                                      + service
                                      + "\"}");
                            })
                        .register(routes))
            .build()
            .start();
    if (!server.isRunning() || server.port() <= 0) {
      server.stop();
      throw cannotListen(host, port, "the server did not start (see the log above)");
    }
    MetricsServer started = new MetricsServer(server, host);
    log.info("{}: metrics on {}/metrics, health on /health", service, started.url());
    return started;
  }

  private static void requireBindable(String host, int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException | RuntimeException e) {
      throw cannotListen(host, port, e.getMessage());
    }
  }

  private static IllegalStateException cannotListen(String host, int port, String reason) {
    return new IllegalStateException("cannot listen on " + host + ":" + port + ": " + reason);
  }

  public int port() {
    return server.port();
  }

  /**
   * {@code http://host:port} without a trailing slash, for links and log lines; a wildcard bind
   * address is given as 127.0.0.1, which reaches it from the same machine.
   */
  public String url() {
    String shown = "0.0.0.0".equals(host) || "::".equals(host) ? "127.0.0.1" : host;
    return "http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + port();
  }

  @Override
  public void close() {
    server.stop();
  }
}
