package io.mlqueue.gateway;

import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.gateway.Predictor.Readiness;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP prediction gateway: {@code POST /v1/predict} in, a request/reply call to the model
 * workers through a {@link Predictor}, the prediction out; and {@code GET /health}, {@code GET
 * /metrics} (Prometheus), {@code GET /openapi.json}. Runs on Helidon's WebServer, each request on
 * its own virtual thread, which simply waits for its call. Every answer, errors included, is JSON
 * (except the Prometheus text of {@code /metrics}).
 *
 * <p>The server does not own the predictor or the registry: close them after the server.
 */
public final class GatewayServer implements AutoCloseable {
  static final String PREDICT_PATH = "/v1/predict";
  static final String HEALTH_PATH = "/health";
  static final String METRICS_PATH = "/metrics";
  static final String OPENAPI_PATH = "/openapi.json";

  /** Every route: path to method. The OpenAPI document must describe each (a test checks). */
  static final Map<String, String> ROUTES =
      Map.of(PREDICT_PATH, "POST", HEALTH_PATH, "GET", METRICS_PATH, "GET", OPENAPI_PATH, "GET");

  static final String OPENAPI_RESOURCE = "/io/mlqueue/gateway/openapi.json";
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  private final WebServer server;
  private final SlowClientGuard guard;
  private final String url;

  private GatewayServer(WebServer server, SlowClientGuard guard, String url) {
    this.server = server;
    this.guard = guard;
    this.url = url;
  }

  /**
   * Starts listening. Returns once the port is bound.
   *
   * @throws IllegalStateException if the server cannot listen (the port is taken, the host is not
   *     an address of this machine)
   */
  public static GatewayServer start(
      GatewayConfig config, Predictor predictor, PrometheusMeterRegistry registry) {
    return start(config, predictor, registry, ApiKeys.none());
  }

  /**
   * Starts listening, requiring one of {@code keys} on {@code POST /v1/predict} when there are any.
   * {@code /health}, {@code /metrics} and {@code /openapi.json} stay open, for probes and scrapers.
   */
  public static GatewayServer start(
      GatewayConfig config, Predictor predictor, PrometheusMeterRegistry registry, ApiKeys keys) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(predictor, "predictor");
    Objects.requireNonNull(registry, "registry");
    // Helidon logs a failed bind with a stack trace before returning a server that is not running:
    // binding once first makes the usual case, a port taken, one clear exception and nothing more.
    String unbindable = whyNotBindable(config);
    if (unbindable != null) {
      throw cannotListen(config, unbindable, null);
    }
    byte[] openapi = openapi();
    GatewayMetrics metrics = new GatewayMetrics(registry, config);
    ConnectionLimits limits = config.limits();
    SlowClientGuard guard = new SlowClientGuard(limits.readTimeout(), registry);
    PredictHandler predict = new PredictHandler(predictor, config, metrics, guard);
    JsonDirectHandler direct = new JsonDirectHandler(config.maxBodyBytes(), metrics);
    WebServer server;
    try {
      server =
          WebServer.builder()
              .host(config.host())
              .port(config.port())
              // Refuses a Content-Length over the limit before routing, and counts chunked bodies.
              .maxPayloadSize(config.maxBodyBytes())
              // Past the limit, connections wait in the kernel's accept queue: memory stays bounded
              // however many a client opens, and those already open keep being served.
              .maxTcpConnections(limits.maxConnections())
              // Past the limit, a request gets 503 at once (JsonDirectHandler) instead of queueing.
              .maxConcurrentRequests(limits.maxConcurrentRequests())
              // Closes a connection idle that long, or one that never sent a byte; checked often
              // enough that one is closed within a second of its time.
              .idleConnectionTimeout(limits.idleTimeout())
              .idleConnectionPeriod(limits.idleCheckPeriod())
              // HTTP/1 only, as configured here: with the discovered HTTP/1 beside it, Helidon waits
              // for a connection's first bytes to choose, and a connection that never sends any
              // then escapes the idle timeout. Helidon's own bounds on a request line (2 KiB) and
              // headers (16 KiB) stay: a prediction request needs far less, and both get 400.
              .protocolsDiscoverServices(false)
              .addProtocol(
                  Http1Config.builder()
                      .addReceiveListener(guard.receiving())
                      .addSendListener(guard.sending())
                      .build())
              // Responses are one write each; no reason to let Nagle hold any back.
              .connectionOptions(o -> o.tcpNoDelay(true))
              // The application decides when to stop (server first, then the predictor).
              .shutdownHook(false)
              .directHandlers(
                  d -> {
                    for (EventType type : EventType.values()) {
                      d.addHandler(type, direct);
                    }
                  })
              .routing(r -> routing(r, predict, keys, predictor, registry, openapi))
              .build()
              .start();
    } catch (RuntimeException e) {
      guard.close();
      throw cannotListen(config, e.getMessage(), e);
    }
    // Helidon logs a failed bind and returns a server that is not running, rather than throwing.
    if (!server.isRunning() || server.port() <= 0) {
      server.stop();
      guard.close();
      throw cannotListen(config, Objects.requireNonNullElse(whyNotBindable(config),
          "the server did not start (see the log)"), null);
    }
    String url = url(config.host(), server.port());
    LOG.info(
        "gateway: serving POST {}{} (timeout {}, at most {} instances, {} bytes a body; a request"
            + " must arrive within {}, idle connections close after {}, at most {} connections"
            + " and {} concurrent requests)",
        url,
        PREDICT_PATH,
        PredictHandler.words(config.timeout()),
        config.maxInstances(),
        config.maxBodyBytes(),
        PredictHandler.words(limits.readTimeout()),
        PredictHandler.words(limits.idleTimeout()),
        limits.maxConnections(),
        limits.maxConcurrentRequests());
    return new GatewayServer(server, guard, url);
  }

  /** The bound port: the configured one, or the one chosen for port 0. */
  public int port() {
    return server.port();
  }

  /** The base URL to reach the server from this machine, e.g. {@code http://127.0.0.1:8080}. */
  public String url() {
    return url;
  }

  /** Stops listening and ends the connections. Idempotent. */
  @Override
  public void close() {
    if (server.isRunning()) {
      server.stop();
    }
    guard.close();
  }

  /** Requests whose line, headers or body are still arriving (for tests). */
  int requestsBeingRead() {
    return guard.reading();
  }

  // ---- routing ----

  private static void routing(
      HttpRouting.Builder r,
      PredictHandler predict,
      ApiKeys keys,
      Predictor predictor,
      PrometheusMeterRegistry registry,
      byte[] openapi) {
    // Routes match in order: the real ones, then a 405 for each of their paths, then a 404.
    r.post(
            PREDICT_PATH,
            (req, res) -> {
              if (keys.allows(req)) {
                predict.handle(req, res);
              } else {
                unauthorized(res);
              }
            })
        .get(HEALTH_PATH, (req, res) -> health(res, predictor))
        .get(METRICS_PATH, (req, res) -> metrics(res, registry))
        .get(OPENAPI_PATH, (req, res) -> send(res, "application/json", openapi));
    ROUTES.forEach((path, method) -> r.any(path, (req, res) -> methodNotAllowed(req, res, method)));
    r.any(GatewayServer::notFound);
    // A body no handler read would be read by Helidon after the answer, when the read timeout no
    // longer watches it: such an answer ends the connection instead.
    r.addFilter(
        (chain, req, res) -> {
          boolean predicts =
              PREDICT_PATH.equals(req.path().path()) && Method.POST.equals(req.prologue().method());
          if (!predicts && req.content().hasEntity()) {
            res.header(HeaderNames.CONNECTION, "close");
          }
          chain.proceed();
        });
    // Whatever a handler throws still ends as a JSON error, never a stack trace.
    r.error(Throwable.class, GatewayServer::unexpected);
  }

  private static void health(ServerResponse res, Predictor predictor) {
    Readiness readiness;
    try {
      readiness = predictor.readiness();
    } catch (RuntimeException e) {
      LOG.warn("the predictor failed to say whether it is ready", e);
      readiness = new Readiness(false, 0);
    }
    String reason = null;
    if (!readiness.connected()) {
      reason = "not connected to the message broker";
    } else if (readiness.workers() <= 0) {
      reason = "no model worker consumes prediction requests";
    }
    res.status(readiness.ready() ? 200 : 503);
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    send(res, "application/json", JsonBodies.health(readiness, reason));
  }

  private static void metrics(ServerResponse res, PrometheusMeterRegistry registry) {
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    send(res, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private static void unauthorized(ServerResponse res) {
    res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
    // The body was not read: the connection cannot carry another request.
    res.header(HeaderNames.CONNECTION, "close");
    PredictHandler.sendError(
        res,
        new ApiError(
            401,
            ApiError.UNAUTHORIZED,
            "this gateway requires an API key: send 'Authorization: Bearer <key>' or"
                + " 'X-API-Key: <key>'"),
        null);
  }

  private static void methodNotAllowed(ServerRequest req, ServerResponse res, String allowed) {
    res.header(HeaderNames.ALLOW, allowed);
    PredictHandler.sendError(
        res,
        new ApiError(
            405,
            ApiError.METHOD_NOT_ALLOWED,
            req.prologue().method().text() + " is not allowed on " + req.path().path()
                + "; use " + allowed),
        null);
  }

  private static void notFound(ServerRequest req, ServerResponse res) {
    String path = req.path().path();
    PredictHandler.sendError(
        res,
        new ApiError(
            404,
            ApiError.NOT_FOUND,
            "no resource at " + (path.length() <= 80 ? path : path.substring(0, 77) + "...")
                + "; this gateway serves POST /v1/predict, GET /health, GET /metrics and"
                + " GET /openapi.json"),
        null);
  }

  private static void unexpected(ServerRequest req, ServerResponse res, Throwable t) {
    if (t instanceof HttpException e && e.status().code() < 500) {
      // Helidon's own refusal of the request (its message may not be safe to show).
      int status = e.status().code();
      PredictHandler.sendError(
          res, new ApiError(status, "http_" + status, e.status().reasonPhrase()), null);
      return;
    }
    LOG.warn("{} {} failed", req.prologue().method().text(), req.path().path(), t);
    PredictHandler.sendError(
        res,
        new ApiError(
            500,
            ApiError.INTERNAL_ERROR,
            "the gateway failed to handle the request; its log has the details"),
        null);
  }

  private static void send(ServerResponse res, String contentType, byte[] body) {
    res.header(HeaderNames.CONTENT_TYPE, contentType);
    res.send(body);
  }

  // ---- helpers ----

  private static IllegalStateException cannotListen(
      GatewayConfig config, String reason, Throwable cause) {
    return new IllegalStateException(
        "the gateway cannot listen on " + config.host() + ":" + config.port() + ": " + reason,
        cause);
  }

  /** Why the address cannot be bound, or null if it can. */
  private static String whyNotBindable(GatewayConfig config) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(config.host(), config.port()));
      return null;
    } catch (IOException | RuntimeException e) {
      return e.getMessage();
    }
  }

  private static byte[] openapi() {
    try (InputStream in = GatewayServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + OPENAPI_RESOURCE + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A URL for clients on this machine: a wildcard bind is reached through loopback. */
  static String url(String host, int port) {
    String h =
        switch (host) {
          case "0.0.0.0" -> "127.0.0.1";
          case "::", "[::]", "::0", "0:0:0:0:0:0:0:0" -> "[::1]";
          default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    return "http://" + h + ":" + port;
  }
}
