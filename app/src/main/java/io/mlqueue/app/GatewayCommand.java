package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.contract.Queues;
import io.mlqueue.gateway.AnswerLog;
import io.mlqueue.gateway.ApiKeys;
import io.mlqueue.gateway.Canary;
import io.mlqueue.gateway.ConnectionLimits;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import io.mlqueue.gateway.HttpServerTracer;
import io.mlqueue.gateway.amqp.AmqpAnswerLog;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.observe.Observability;
import io.mlqueue.observe.Tracing;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue gateway}: HTTP prediction requests in, request/reply calls to the model workers.
 */
@Command(
    name = "gateway",
    description =
        "Serve POST /v1/predict and the Open Inference Protocol's REST API (KServe V2) under /v2"
            + " over HTTP: each prediction request becomes a request/reply call to the model"
            + " workers through the broker. Also GET /health, /metrics, /openapi.json.")
final class GatewayCommand implements Callable<Integer> {
  @Mixin AmqpOptions amqp;
  @Mixin TracingOptions tracing;

  @Option(
      names = "--port",
      defaultValue = "" + GatewayConfig.DEFAULT_PORT,
      description = "HTTP port (0: any free port; default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = GatewayConfig.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--timeout",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "How long a request waits for its prediction before a 504 (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--max-instances",
      defaultValue = "" + GatewayConfig.DEFAULT_MAX_INSTANCES,
      description = "Instances one request may carry (default: ${DEFAULT-VALUE}).")
  int maxInstances;

  @Option(
      names = "--max-body",
      defaultValue = "" + GatewayConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body in bytes; above it a 413 (default: ${DEFAULT-VALUE}).")
  int maxBody;

  @Option(
      names = "--read-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "How long a client may take to send a whole request (line, headers, body) from"
              + " its first byte; a slower one gets 408 or is disconnected, which stops slowloris"
              + " clients from holding connections (default: ${DEFAULT-VALUE}).")
  Duration readTimeout;

  @Option(
      names = "--idle-timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "Close a connection with no request in progress, or one that never sends a"
              + " byte, after this; behind a load balancer keep it above the balancer's idle timeout"
              + " (default: ${DEFAULT-VALUE}).")
  Duration idleTimeout;

  @Option(
      names = "--max-connections",
      defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONNECTIONS,
      description =
          "Connections held at once; more wait in the kernel's accept queue until one"
              + " closes. Each costs about 25 KB of heap, so this bounds the memory a flood of"
              + " connections can take (default: ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-concurrent-requests",
      defaultValue = "" + ConnectionLimits.DEFAULT_MAX_CONCURRENT_REQUESTS,
      description =
          "Requests handled at once; more get 503 at once instead of queueing"
              + " (default: ${DEFAULT-VALUE}).")
  int maxConcurrentRequests;

  @Option(
      names = "--api-key-file",
      paramLabel = "FILE",
      description =
          "Require one of the keys in FILE (one per line, at least 16 characters) on"
              + " POST /v1/predict, POST /v1/feedback and POST /v2/models/…/infer, as 'Authorization: Bearer KEY' or"
              + " 'X-API-Key: KEY'; health, metadata, /metrics and /openapi.json stay open."
              + " Default: no keys.")
  java.nio.file.Path apiKeyFile;

  @Option(
      names = "--canary",
      paramLabel = "SHARE",
      description =
          "Answer this share of the calls (0 to 1, e.g. 0.1) with the challenger that"
              + " 'model --shadow' workers serve on queue predict.challenger; the reply's model says"
              + " which answered. Implies --feedback. Default: none.")
  Double canary;

  @Option(
      names = "--canary-sticky",
      paramLabel = "HEADER",
      description =
          "With --canary: route by a hash of this request header's value (e.g."
              + " X-User-Id), so one user keeps one model; requests without it are routed at random.")
  String canarySticky;

  @Option(
      names = "--feedback",
      description =
          "Record every answer (queue y_pred_shadow, tagged with its model) and take"
              + " POST /v1/feedback {\"id\", \"y_true\"} (queue y_true_feedback), which 'metric"
              + " --model-log' joins into model_log.csv.")
  boolean feedback;

  @Override
  public Integer call() throws Exception {
    Shutdown.Guard guard = Shutdown.install("gateway");
    // Registered before the services, so closed after them: their last spans are sent.
    Tracing traces = guard.closeOnStop(tracing.start("gateway"));
    AmqpSettings settings = TracingOptions.traced(amqp.settings(), traces);
    ConnectionLimits limits =
        new ConnectionLimits(readTimeout, idleTimeout, maxConnections, maxConcurrentRequests);
    GatewayConfig config = new GatewayConfig(host, port, timeout, maxInstances, maxBody, limits);
    ApiKeys keys = apiKeyFile == null ? ApiKeys.none() : ApiKeys.load(apiKeyFile);
    PrometheusMeterRegistry registry = Observability.registry("gateway");
    // Closed newest first: the server stops taking requests, the calls in flight fail, then the
    // connection closes.
    Connection connection = guard.closeOnStop(BrokerConnector.connect(settings, "gateway"));
    AmqpPredictor predictor =
        guard.closeOnStop(AmqpPredictor.start(connection, settings, registry));
    if (canarySticky != null && canary == null) {
      throw new IllegalArgumentException("--canary-sticky needs --canary SHARE");
    }
    Optional<Canary> split = Optional.empty();
    if (canary != null) {
      // Its own meters would clash with the champion's (same names): the champion's are the
      // gateway's; the canary's share shows in the replies' models and in model_log.csv.
      AmqpPredictor challenger =
          guard.closeOnStop(
              AmqpPredictor.start(
                  connection, settings, new CompositeMeterRegistry(), Queues.PREDICT_CHALLENGER));
      split = Optional.of(new Canary(challenger, canary, Optional.ofNullable(canarySticky)));
    }
    AnswerLog answers =
        feedback || canary != null
            ? guard.closeOnStop(AmqpAnswerLog.start(connection, settings, registry))
            : AnswerLog.NONE;
    Optional<Canary> canaryRoute = split;
    GatewayServer server =
        guard.closeOnStop(
            Listening.on(
                "--port",
                port,
                () ->
                    GatewayServer.start(
                        config,
                        predictor,
                        registry,
                        keys,
                        canaryRoute,
                        answers,
                        HttpServerTracer.of(traces.openTelemetry()))));
    System.out.println(
        "gateway: listening on "
            + server.url()
            + " (POST /v1/predict; Open Inference API under /v2)");
    guard.awaitStop();
    return 0;
  }
}
