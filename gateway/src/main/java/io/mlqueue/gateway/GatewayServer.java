package io.mlqueue.gateway;

import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.gateway.Predictor.Readiness;
import io.mlqueue.gateway.v1.V1Feedback;
import io.mlqueue.gateway.v1.V1Predict;
import io.mlqueue.gateway.v2.OpenInferenceApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP prediction gateway, with two APIs on one server: mlqueue's own {@code POST /v1/predict}
 * and the Open Inference Protocol's REST API under {@code /v2} ({@link OpenInferenceApi}). Each
 * prediction request becomes a request/reply call to the model workers through a {@link Predictor};
 * both APIs share that call, the limits and the metrics ({@link PredictRoute}), and only their JSON
 * differs. Also {@code GET /health}, {@code GET /metrics} (Prometheus), {@code GET /openapi.json}.
 * Runs on Helidon's WebServer, each request on its own virtual thread, which simply waits for its
 * call. Every answer, errors included, is JSON (except the Prometheus text of {@code /metrics}).
 *
 * <p>The server does not own the predictor or the registry: close them after the server.
 */
public final class GatewayServer implements AutoCloseable {
  static final String PREDICT_PATH = V1Predict.PATH;
  static final String HEALTH_PATH = "/health";
  static final String METRICS_PATH = "/metrics";
  static final String OPENAPI_PATH = "/openapi.json";

  /**
   * Every route: path (in OpenAPI's template syntax, which Helidon's matches) to method. The
   * OpenAPI document must describe each (a test checks).
   */
  static final Map<String, String> ROUTES =
      Map.ofEntries(
          Map.entry(PREDICT_PATH, "POST"),
          Map.entry(V1Feedback.PATH, "POST"),
          Map.entry(HEALTH_PATH, "GET"),
          Map.entry(METRICS_PATH, "GET"),
          Map.entry(OPENAPI_PATH, "GET"),
          Map.entry(OpenInferenceApi.LIVE, "GET"),
          Map.entry(OpenInferenceApi.READY, "GET"),
          Map.entry(OpenInferenceApi.SERVER, "GET"),
          Map.entry(OpenInferenceApi.MODEL, "GET"),
          Map.entry(OpenInferenceApi.MODEL_VERSION, "GET"),
          Map.entry(OpenInferenceApi.MODEL_READY, "GET"),
          Map.entry(OpenInferenceApi.MODEL_VERSION_READY, "GET"),
          Map.entry(OpenInferenceApi.INFER, "POST"),
          Map.entry(OpenInferenceApi.INFER_VERSION, "POST"));

  /** The prediction routes of both APIs: the ones API keys guard and that read a body. */
  private static final Pattern PREDICTION_PATHS =
      Pattern.compile("/v1/predict|/v1/feedback|/v2/models/[^/]+(/versions/[^/]+)?/infer");

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
   * Starts listening, requiring one of {@code keys} on the prediction routes ({@code POST
   * /v1/predict}, {@code POST /v2/models/…/infer}) when there are any. Health, metadata, {@code
   * /metrics} and {@code /openapi.json} stay open, for probes, scrapers and client generators.
   */
  public static GatewayServer start(
      GatewayConfig config, Predictor predictor, PrometheusMeterRegistry registry, ApiKeys keys) {
    return start(config, predictor, registry, keys, Optional.empty(), AnswerLog.NONE);
  }

  /**
   * Starts listening as {@link #start(GatewayConfig, Predictor, PrometheusMeterRegistry, ApiKeys)}
   * does, with a share of the calls answered by the challenger ({@code canary}) and every answer
   * recorded in {@code answers}, which also takes {@code POST /v1/feedback} (guarded by the keys).
   */
  public static GatewayServer start(
      GatewayConfig config,
      Predictor predictor,
      PrometheusMeterRegistry registry,
      ApiKeys keys,
      Optional<Canary> canary,
      AnswerLog answers) {
    return start(config, predictor, registry, keys, canary, answers, HttpServerTracer.OFF);
  }

  /**
   * Starts listening as {@link #start(GatewayConfig, Predictor, PrometheusMeterRegistry, ApiKeys,
   * Optional, AnswerLog)} does, with each prediction request traced by {@code tracer}: its server
   * span is the parent of the call's {@code publish} span.
   */
  public static GatewayServer start(
      GatewayConfig config,
      Predictor predictor,
      PrometheusMeterRegistry registry,
      ApiKeys keys,
      Optional<Canary> canary,
      AnswerLog answers,
      HttpServerTracer tracer) {
    Objects.requireNonNull(tracer, "tracer");
    Objects.requireNonNull(canary, "canary");
    Objects.requireNonNull(answers, "answers");
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
    OpenInferenceApi v2 =
        new OpenInferenceApi(predictor, config.timeout(), config.maxInstances(), version());
    PredictRoute.Shared shared =
        new PredictRoute.Shared(
            config,
            guard,
            metrics,
            tracer,
            new PredictionCall(predictor, config.timeout(), v2::modelAnswered, canary, answers));
    Routes routes =
        new Routes(
            new PredictRoute(Protocol.V1, new V1Predict(config.maxInstances()), shared),
            new PredictRoute(Protocol.V1, new V1Feedback(answers, config.timeout()), shared),
            new PredictRoute(Protocol.V2, v2.infer(), shared),
            v2,
            keys,
            metrics,
            predictor,
            registry,
            openapi);
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
              // HTTP/1 only, as configured here: with the discovered HTTP/1 beside it, Helidon
              // waits
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
              .routing(routes::register)
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
      throw cannotListen(
          config,
          Objects.requireNonNullElse(
              whyNotBindable(config), "the server did not start (see the log)"),
          null);
    }
    String url = url(config.host(), server.port());
    LOG.info(
        "gateway: serving POST {}{} and the Open Inference API under {}/v2 (timeout {}, at most {}"
            + " instances, {} bytes a body; a request must arrive within {}, idle connections close"
            + " after {}, at most {} connections and {} concurrent requests)",
        url,
        PREDICT_PATH,
        url,
        PredictionCall.words(config.timeout()),
        config.maxInstances(),
        config.maxBodyBytes(),
        PredictionCall.words(limits.readTimeout()),
        PredictionCall.words(limits.idleTimeout()),
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

  /** Whether a request is a prediction of either API. */
  static boolean isPrediction(String method, String path) {
    return "POST".equals(method) && PREDICTION_PATHS.matcher(path).matches();
  }

  /** The routes, each with its handler, and the filters in front of them. */
  private record Routes(
      PredictRoute v1,
      PredictRoute feedback,
      PredictRoute v2Infer,
      OpenInferenceApi v2,
      ApiKeys keys,
      GatewayMetrics metrics,
      Predictor predictor,
      PrometheusMeterRegistry registry,
      byte[] openapi) {

    void register(HttpRouting.Builder r) {
      // Routes match in order: the real ones, then a 405 for each of their paths, then a 404.
      r.post(PREDICT_PATH, v1)
          .post(V1Feedback.PATH, feedback)
          .post(OpenInferenceApi.INFER, v2Infer)
          .post(OpenInferenceApi.INFER_VERSION, v2Infer)
          .get(HEALTH_PATH, (req, res) -> health(res, predictor))
          .get(METRICS_PATH, (req, res) -> scrape(res, registry))
          .get(OPENAPI_PATH, (req, res) -> send(res, "application/json", openapi))
          .get(OpenInferenceApi.LIVE, v2::live)
          .get(OpenInferenceApi.READY, v2::ready)
          .get(OpenInferenceApi.SERVER, v2::serverMetadata)
          // The protocol's own OpenAPI document names the server metadata path "/v2/".
          .get(OpenInferenceApi.SERVER + "/", v2::serverMetadata)
          .get(OpenInferenceApi.MODEL, v2::modelMetadata)
          .get(OpenInferenceApi.MODEL_VERSION, v2::modelMetadata)
          .get(OpenInferenceApi.MODEL_READY, v2::modelReady)
          .get(OpenInferenceApi.MODEL_VERSION_READY, v2::modelReady);
      ROUTES.forEach(
          (path, method) -> r.any(path, (req, res) -> methodNotAllowed(req, res, method)));
      r.any(GatewayServer::notFound);
      r.addFilter(
          (chain, req, res) -> {
            String path = req.path().path();
            boolean predicts = isPrediction(req.prologue().method().text(), path);
            if (predicts && !keys.allows(req)) {
              unauthorized(res, Protocol.of(path));
              metrics.answered(Protocol.of(path), 401, ApiError.UNAUTHORIZED, -1);
              return;
            }
            // A body no handler read would be read by Helidon after the answer, when the read
            // timeout no longer watches it: such an answer ends the connection instead.
            if (!predicts && req.content().hasEntity()) {
              res.header(HeaderNames.CONNECTION, "close");
            }
            chain.proceed();
          });
      // Whatever a handler throws still ends as a JSON error, never a stack trace.
      r.error(Throwable.class, GatewayServer::unexpected);
    }
  }

  private static void health(ServerResponse res, Predictor predictor) {
    Readiness readiness;
    try {
      readiness = predictor.readiness();
    } catch (RuntimeException e) {
      LOG.warn("the predictor failed to say whether it is ready", e);
      readiness = new Readiness(false, 0);
    }
    res.status(readiness.ready() ? 200 : 503);
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    send(res, "application/json", JsonBodies.health(readiness, readiness.reason()));
  }

  private static void scrape(ServerResponse res, PrometheusMeterRegistry registry) {
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    send(res, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
  }

  private static void unauthorized(ServerResponse res, Protocol protocol) {
    res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
    // The body was not read: the connection cannot carry another request.
    res.header(HeaderNames.CONNECTION, "close");
    protocol.sendError(
        res,
        new ApiError(
            401,
            ApiError.UNAUTHORIZED,
            "this gateway requires an API key: send 'Authorization: Bearer <key>' or"
                + " 'X-API-Key: <key>'"),
        null);
  }

  private static void methodNotAllowed(ServerRequest req, ServerResponse res, String allowed) {
    String path = req.path().path();
    res.header(HeaderNames.ALLOW, allowed);
    Protocol.of(path)
        .sendError(
            res,
            new ApiError(
                405,
                ApiError.METHOD_NOT_ALLOWED,
                req.prologue().method().text()
                    + " is not allowed on "
                    + abbreviate(path)
                    + "; use "
                    + allowed),
            null);
  }

  private static void notFound(ServerRequest req, ServerResponse res) {
    String path = req.path().path();
    Protocol protocol = Protocol.of(path);
    String served =
        protocol == Protocol.V2
            ? "; the Open Inference API serves GET /v2, GET /v2/health/live, GET /v2/health/ready,"
                + " GET /v2/models/NAME[/versions/VERSION][/ready] and"
                + " POST /v2/models/NAME[/versions/VERSION]/infer"
            : "; this gateway serves POST /v1/predict, GET /health, GET /metrics,"
                + " GET /openapi.json and the Open Inference API under /v2";
    protocol.sendError(
        res,
        new ApiError(404, ApiError.NOT_FOUND, "no resource at " + abbreviate(path) + served),
        null);
  }

  private static void unexpected(ServerRequest req, ServerResponse res, Throwable t) {
    Protocol protocol = Protocol.of(req.path().path());
    if (t instanceof HttpException e && e.status().code() < 500) {
      // Helidon's own refusal of the request (its message may not be safe to show).
      int status = e.status().code();
      protocol.sendError(
          res, new ApiError(status, "http_" + status, e.status().reasonPhrase()), null);
      return;
    }
    LOG.warn("{} {} failed", req.prologue().method().text(), req.path().path(), t);
    protocol.sendError(
        res,
        new ApiError(
            500,
            ApiError.INTERNAL_ERROR,
            "the gateway failed to handle the request; its log has the details"),
        null);
  }

  private static String abbreviate(String path) {
    return path.length() <= 80 ? path : path.substring(0, 77) + "...";
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

  /** The version in the jar's manifest, or {@code development} when run from classes. */
  private static String version() {
    String v = GatewayServer.class.getPackage().getImplementationVersion();
    return v == null ? "development" : v;
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
