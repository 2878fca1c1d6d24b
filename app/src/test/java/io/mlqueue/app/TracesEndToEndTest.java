package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import io.mlqueue.gateway.AnswerLog;
import io.mlqueue.gateway.ApiKeys;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import io.mlqueue.gateway.HttpServerTracer;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.observe.TraceSampling;
import io.mlqueue.observe.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Traces across the broker (issue 13): one trace per pair from features through model to metric,
 * and one per call from the gateway through model back to the gateway, with the spans' names,
 * kinds, parents and attributes as the OpenTelemetry messaging conventions have them; checked with
 * the SDK's in-memory exporter, and once with a real OTLP/HTTP receiver.
 */
class TracesEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> MESSAGE_ID =
      AttributeKey.stringKey("messaging.message.id");
  private static TestBroker broker;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @BeforeEach
  void emptyQueues() throws Exception {
    broker.deleteQueues(Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED, Queues.PREDICT);
  }

  @AfterEach
  void closeInReverse() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
  }

  /** {@code service}'s settings, traced into the in-memory exporter under its own name. */
  private AmqpSettings traced(String service) {
    return TracingOptions.traced(AmqpSettings.of(broker.uri()), tracing(service));
  }

  private Tracing tracing(String service) {
    Tracing tracing = Tracing.of(service, SimpleSpanProcessor.create(spans));
    open.add(tracing);
    return tracing;
  }

  @ParameterizedTest(name = "{0} rows per message")
  @ValueSource(ints = {1, 4})
  void oneTraceSpansFeaturesModelAndMetric(int batch, @TempDir Path logDir) throws Exception {
    int pairs = 12;
    Connection connection = broker.connection();
    ModelService model = ModelService.start(connection, traced("model"), BuiltInModel.get());
    open.add(model);
    MetricService metric =
        MetricService.start(
            connection, traced("metric"), MetricService.Config.of(logDir), Clock.systemUTC());
    open.add(metric);
    FeaturesConfig config =
        new FeaturesConfig(Dataset.builtIn(), pairs, Pace.UNLIMITED, OptionalLong.of(7), 64, batch);
    new FeaturesService(
            config,
            traced("features"),
            connection,
            Clock.systemUTC(),
            FeaturesService.Listener.NO_OP)
        .run(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> metric.rowsWritten() == pairs);

    int messages = pairs / batch;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spans.getFinishedSpanItems().size() >= 7 * messages);
    Map<String, List<SpanData>> traces = byTrace(spans.getFinishedSpanItems());
    assertThat(traces).hasSize(messages);
    for (List<SpanData> trace : traces.values()) {
      Map<String, SpanData> span = byName(trace);
      assertThat(span)
          .containsOnlyKeys(
              "send pair",
              "publish y_true",
              "publish features",
              "process features",
              "publish y_pred",
              "process y_true",
              "process y_pred");
      SpanData root = span.get("send pair");
      assertThat(root.getParentSpanContext().isValid()).isFalse();
      assertThat(root.getKind()).isEqualTo(SpanKind.INTERNAL);
      String id = span.get("publish features").getAttributes().get(MESSAGE_ID);
      assertThat(id).isNotBlank();
      hop(span, root, "publish y_true", SpanKind.PRODUCER, "features", id, batch);
      hop(span, root, "publish features", SpanKind.PRODUCER, "features", id, batch);
      hop(
          span,
          span.get("publish features"),
          "process features",
          SpanKind.CONSUMER,
          "model",
          id,
          batch);
      hop(
          span,
          span.get("process features"),
          "publish y_pred",
          SpanKind.PRODUCER,
          "model",
          id,
          batch);
      hop(
          span,
          span.get("publish y_true"),
          "process y_true",
          SpanKind.CONSUMER,
          "metric",
          id,
          batch);
      hop(
          span,
          span.get("publish y_pred"),
          "process y_pred",
          SpanKind.CONSUMER,
          "metric",
          id,
          batch);
    }
  }

  @Test
  void aSampledShareOfPairsIsTracedWholeAndTheRestNowhere(@TempDir Path logDir) throws Exception {
    int pairs = 60;
    Connection connection = broker.connection();
    // Only features decides, as --trace-sample-ratio 0.5 makes it; model and metric keep their
    // default and follow the sampled flag each message's traceparent carries.
    Tracing featuresTracing =
        Tracing.of(
            "features",
            SimpleSpanProcessor.create(spans),
            TraceSampling.sampler(OptionalDouble.of(0.5), Map.of()));
    open.add(featuresTracing);
    ModelService model = ModelService.start(connection, traced("model"), BuiltInModel.get());
    open.add(model);
    MetricService metric =
        MetricService.start(
            connection, traced("metric"), MetricService.Config.of(logDir), Clock.systemUTC());
    open.add(metric);
    FeaturesConfig config =
        new FeaturesConfig(Dataset.builtIn(), pairs, Pace.UNLIMITED, OptionalLong.of(7), 64, 1);
    new FeaturesService(
            config,
            TracingOptions.traced(AmqpSettings.of(broker.uri()), featuresTracing),
            connection,
            Clock.systemUTC(),
            FeaturesService.Listener.NO_OP)
        .run(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> metric.rowsWritten() == pairs);

    // Each kept trace has 7 spans, 3 of them from features: wait for the others to settle.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              List<SpanData> all = spans.getFinishedSpanItems();
              long roots = all.stream().filter(s -> s.getName().equals("send pair")).count();
              return all.size() == 7 * roots;
            });
    Map<String, List<SpanData>> traces = byTrace(spans.getFinishedSpanItems());
    // 60 coin flips: all heads or all tails has odds of 2^-59.
    assertThat(traces.size()).isBetween(1, pairs - 1);
    for (List<SpanData> trace : traces.values()) {
      assertThat(byName(trace))
          .containsOnlyKeys(
              "send pair",
              "publish y_true",
              "publish features",
              "process features",
              "publish y_pred",
              "process y_true",
              "process y_pred");
    }
  }

  @Test
  void oneTraceSpansTheClientsRequestTheGatewayTheModelAndTheReply() throws Exception {
    GatewayServer server = tracedGatewayAndModel();

    // The client's own span, as an instrumented HTTP client sends it (W3C traceparent).
    String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    String clientSpan = "00f067aa0ba902b7";
    String features = Arrays.toString(Dataset.builtIn().features(0));
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url() + "/v1/predict"))
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-" + clientTrace + "-" + clientSpan + "-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"features\": " + features + "}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    String id = JSON.readTree(answer.body()).path("id").asText();

    await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() >= 5);
    Map<String, List<SpanData>> traces = byTrace(spans.getFinishedSpanItems());
    assertThat(traces).containsOnlyKeys(clientTrace);
    Map<String, SpanData> span = byName(traces.get(clientTrace));
    assertThat(span)
        .containsOnlyKeys(
            "POST /v1/predict",
            "publish predict",
            "process predict",
            "publish (temporary)",
            "process (temporary)");
    SpanData request = span.get("POST /v1/predict");
    assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(request.getParentSpanId()).isEqualTo(clientSpan);
    assertThat(request.getParentSpanContext().isRemote()).isTrue();
    assertThat(request.getResource().getAttribute(SERVICE)).isEqualTo("mlqueue-gateway");
    var http = request.getAttributes();
    assertThat(http.get(AttributeKey.stringKey("http.request.method"))).isEqualTo("POST");
    assertThat(http.get(AttributeKey.stringKey("http.route"))).isEqualTo("/v1/predict");
    assertThat(http.get(AttributeKey.stringKey("url.path"))).isEqualTo("/v1/predict");
    assertThat(http.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    SpanData publish = span.get("publish predict");
    assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(publish.getParentSpanId()).isEqualTo(request.getSpanId());
    assertThat(publish.getResource().getAttribute(SERVICE)).isEqualTo("mlqueue-gateway");
    assertThat(publish.getAttributes().get(MESSAGE_ID)).isEqualTo(id);
    hop(span, publish, "process predict", SpanKind.CONSUMER, "model", id, 1);
    hop(
        span,
        span.get("process predict"),
        "publish (temporary)",
        SpanKind.PRODUCER,
        "model",
        id,
        1);
    hop(
        span,
        span.get("publish (temporary)"),
        "process (temporary)",
        SpanKind.CONSUMER,
        "gateway",
        id,
        1);
    for (String reply : List.of("publish (temporary)", "process (temporary)")) {
      assertThat(
              span.get(reply)
                  .getAttributes()
                  .get(AttributeKey.booleanKey("messaging.destination.temporary")))
          .isTrue();
      // The gateway's own reply queue: server-named (tmp_… on Qpid, amq.rabbitmq.reply-to on
      // RabbitMQ), so it stays out of the span's name.
      assertThat(
              span.get(reply)
                  .getAttributes()
                  .get(AttributeKey.stringKey("messaging.destination.name")))
          .isNotBlank()
          .isNotEqualTo("predict");
    }

    // A client that sends no trace context: the server span starts a new trace; an Open Inference
    // call is named by its route's pattern, not by the model in its path; a refusal (404: no such
    // model) is recorded with its status but is not a server error.
    spans.reset();
    HttpResponse<String> unknown =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url() + "/v2/models/nope/infer"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 10],"
                                + " \"datatype\": \"FP64\", \"data\": "
                                + features
                                + "}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    // (To know the names served, the gateway may ask a worker first: spans under this one.)
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                spans.getFinishedSpanItems().stream()
                    .anyMatch(x -> x.getKind() == SpanKind.SERVER));
    SpanData refused =
        spans.getFinishedSpanItems().stream()
            .filter(x -> x.getKind() == SpanKind.SERVER)
            .findFirst()
            .orElseThrow();
    assertThat(refused.getParentSpanContext().isValid()).isFalse();
    assertThat(byTrace(spans.getFinishedSpanItems())).containsOnlyKeys(refused.getTraceId());
    assertThat(refused.getName()).isEqualTo("POST /v2/models/{model_name}/infer");
    assertThat(refused.getAttributes().get(AttributeKey.stringKey("url.path")))
        .isEqualTo("/v2/models/nope/infer");
    assertThat(refused.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(404L);
    assertThat(refused.getStatus().getStatusCode())
        .isEqualTo(io.opentelemetry.api.trace.StatusCode.UNSET);
  }

  @Test
  void concurrentCallsCoalescedIntoOneMessageKeepEachClientsTrace() throws Exception {
    GatewayServer server = tracedGatewayAndModel();

    int clients = 16;
    int callsEach = 5;
    String features = Arrays.toString(Dataset.builtIn().features(0));
    HttpClient http = HttpClient.newHttpClient();
    List<String> sentTraces = new CopyOnWriteArrayList<>();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < callsEach; i++) {
                    String trace = HexFormat.of().formatHex(randomBytes(16));
                    sentTraces.add(trace);
                    HttpResponse<String> answer =
                        http.send(
                            HttpRequest.newBuilder(URI.create(server.url() + "/v1/predict"))
                                .header("Content-Type", "application/json")
                                .header("traceparent", "00-" + trace + "-00f067aa0ba902b7-01")
                                .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                        "{\"features\": " + features + "}"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                  }
                  return null;
                }));
      }
      for (var f : done) {
        f.get();
      }
    }
    int calls = clients * callsEach;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> serverSpans(spans.getFinishedSpanItems()).size() == calls);
    List<SpanData> finished = spans.getFinishedSpanItems();
    List<SpanData> requests = serverSpans(finished);
    assertThat(requests)
        .extracting(SpanData::getTraceId)
        .containsExactlyInAnyOrderElementsOf(sentTraces);
    List<SpanData> publishes =
        finished.stream().filter(x -> x.getName().equals("publish predict")).toList();
    // Each request is the parent of the message that carried its call, or linked from it when its
    // call travelled in another's message.
    int linked = 0;
    for (SpanData request : requests) {
      boolean parent =
          publishes.stream().anyMatch(p -> p.getParentSpanId().equals(request.getSpanId()));
      boolean link =
          publishes.stream()
              .anyMatch(
                  p ->
                      p.getLinks().stream()
                          .anyMatch(l -> l.getSpanContext().equals(request.getSpanContext())));
      assertThat(parent || link).as("request span %s reached a message", request).isTrue();
      linked += link ? 1 : 0;
    }
    for (SpanData publish : publishes) {
      assertThat(requests)
          .as("the parent of %s", publish)
          .anyMatch(r -> r.getSpanId().equals(publish.getParentSpanId()));
    }
    assertThat(publishes.size() + linked).isEqualTo(calls);
  }

  /** A traced model worker and a traced gateway in front of it, ready for calls. */
  private GatewayServer tracedGatewayAndModel() throws Exception {
    ModelService model =
        ModelService.start(broker.connection(), traced("model"), BuiltInModel.get());
    open.add(model);
    Tracing gatewayTracing = tracing("gateway");
    AmqpSettings gatewaySettings =
        TracingOptions.traced(AmqpSettings.of(broker.uri()), gatewayTracing);
    Connection gatewayConnection = BrokerConnector.connect(gatewaySettings, "gateway");
    open.add(gatewayConnection);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AmqpPredictor predictor = AmqpPredictor.start(gatewayConnection, gatewaySettings, registry);
    open.add(predictor);
    GatewayServer server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
            predictor,
            registry,
            ApiKeys.none(),
            Optional.empty(),
            AnswerLog.NONE,
            HttpServerTracer.of(gatewayTracing.openTelemetry()));
    open.add(server);
    await().atMost(Duration.ofSeconds(5)).until(() -> predictor.readiness().ready());
    return server;
  }

  private static List<SpanData> serverSpans(List<SpanData> spans) {
    return spans.stream().filter(x -> x.getKind() == SpanKind.SERVER).toList();
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }

  @Test
  void theSpansOfAPairReachARealOtlpReceiverInOneTrace(@TempDir Path logDir) throws Exception {
    List<Post> posts = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          posts.add(
              new Post(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  body));
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse: all taken
          exchange.close();
        });
    receiver.start();
    try {
      Optional<String> endpoint =
          Optional.of("http://127.0.0.1:" + receiver.getAddress().getPort());
      int pairs = 3;
      Connection connection = broker.connection();
      Tracing modelTracing = Tracing.otlp("model", endpoint);
      Tracing metricTracing = Tracing.otlp("metric", endpoint);
      Tracing featuresTracing = Tracing.otlp("features", endpoint);
      AmqpSettings settings = AmqpSettings.of(broker.uri());
      try (ModelService model =
              ModelService.start(
                  connection, TracingOptions.traced(settings, modelTracing), BuiltInModel.get());
          MetricService metric =
              MetricService.start(
                  connection,
                  TracingOptions.traced(settings, metricTracing),
                  MetricService.Config.of(logDir),
                  Clock.systemUTC())) {
        new FeaturesService(
                new FeaturesConfig(
                    Dataset.builtIn(), pairs, Pace.UNLIMITED, OptionalLong.of(3), 64),
                TracingOptions.traced(settings, featuresTracing),
                connection,
                Clock.systemUTC(),
                FeaturesService.Listener.NO_OP)
            .run(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> metric.rowsWritten() == pairs);
      }
      // Closing flushes what the batch processors still hold.
      featuresTracing.close();
      modelTracing.close();
      metricTracing.close();

      assertThat(posts)
          .isNotEmpty()
          .allSatisfy(
              post -> {
                assertThat(post.method()).isEqualTo("POST");
                assertThat(post.path()).isEqualTo("/v1/traces");
                assertThat(post.contentType()).isEqualTo("application/x-protobuf");
              });
      List<OtlpSpan> received =
          posts.stream().flatMap(p -> OtlpSpan.decode(p.body()).stream()).toList();
      Map<String, List<OtlpSpan>> traces =
          received.stream().collect(Collectors.groupingBy(OtlpSpan::traceId));
      assertThat(traces).hasSize(pairs);
      for (List<OtlpSpan> trace : traces.values()) {
        Map<String, OtlpSpan> span =
            trace.stream().collect(Collectors.toMap(OtlpSpan::name, Function.identity()));
        assertThat(span).hasSize(7);
        assertThat(span.get("send pair").parentId()).isEmpty();
        assertThat(span.get("send pair").service()).isEqualTo("mlqueue-features");
        assertThat(span.get("publish features").parentId()).isEqualTo(span.get("send pair").id());
        assertThat(span.get("process features").parentId())
            .isEqualTo(span.get("publish features").id());
        assertThat(span.get("process features").service()).isEqualTo("mlqueue-model");
        assertThat(span.get("publish y_pred").parentId())
            .isEqualTo(span.get("process features").id());
        assertThat(span.get("process y_pred").parentId())
            .isEqualTo(span.get("publish y_pred").id());
        assertThat(span.get("process y_pred").service()).isEqualTo("mlqueue-metric");
        assertThat(span.get("process y_true").parentId())
            .isEqualTo(span.get("publish y_true").id());
      }
    } finally {
      receiver.stop(0);
    }
  }

  /**
   * Checks that span {@code name} is {@code kind}, of {@code service}, a child of {@code parent}.
   */
  private static void hop(
      Map<String, SpanData> spans,
      SpanData parent,
      String name,
      SpanKind kind,
      String service,
      String messageId,
      int rows) {
    SpanData span = spans.get(name);
    assertThat(span.getKind()).as(name).isEqualTo(kind);
    assertThat(span.getTraceId()).as(name).isEqualTo(parent.getTraceId());
    assertThat(span.getParentSpanId()).as(name + "'s parent").isEqualTo(parent.getSpanId());
    assertThat(span.getResource().getAttribute(SERVICE)).as(name).isEqualTo("mlqueue-" + service);
    var attributes = span.getAttributes();
    String queue = attributes.get(AttributeKey.stringKey("messaging.destination.name"));
    assertThat(attributes.get(AttributeKey.stringKey("messaging.system"))).isEqualTo("rabbitmq");
    assertThat(attributes.get(AttributeKey.stringKey("messaging.operation.type")))
        .isEqualTo(kind == SpanKind.PRODUCER ? "send" : "process");
    assertThat(attributes.get(AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key")))
        .isEqualTo(queue);
    if (!name.contains("(temporary)")) {
      assertThat(name).endsWith(" " + queue);
    }
    assertThat(attributes.get(MESSAGE_ID)).as(name).isEqualTo(messageId);
    assertThat(attributes.get(AttributeKey.longKey("messaging.batch.message_count")))
        .as(name)
        .isEqualTo(rows > 1 ? Long.valueOf(rows) : null);
  }

  private static Map<String, List<SpanData>> byTrace(List<SpanData> spans) {
    return spans.stream().collect(Collectors.groupingBy(SpanData::getTraceId));
  }

  private static Map<String, SpanData> byName(List<SpanData> trace) {
    return trace.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
  }

  private record Post(String method, String path, String contentType, byte[] body) {}

  /**
   * A span as an OTLP export request carries it, read with a few lines of protobuf decoding (the
   * fields of opentelemetry-proto's trace.proto: ResourceSpans 1 → Resource 1 / ScopeSpans 2 → Span
   * 2 → trace_id 1, span_id 2, parent_span_id 4, name 5).
   */
  private record OtlpSpan(String service, String traceId, String id, String parentId, String name) {
    static List<OtlpSpan> decode(byte[] request) {
      List<OtlpSpan> out = new ArrayList<>();
      for (byte[] resourceSpans : Proto.fields(request, 1)) {
        String service = "";
        for (byte[] resource : Proto.fields(resourceSpans, 1)) {
          for (byte[] attribute : Proto.fields(resource, 1)) {
            if (Proto.string(attribute, 1).equals("service.name")) {
              service = Proto.string(Proto.fields(attribute, 2).get(0), 1);
            }
          }
        }
        for (byte[] scopeSpans : Proto.fields(resourceSpans, 2)) {
          for (byte[] span : Proto.fields(scopeSpans, 2)) {
            out.add(
                new OtlpSpan(
                    service,
                    Proto.hex(span, 1),
                    Proto.hex(span, 2),
                    Proto.hex(span, 4),
                    Proto.string(span, 5)));
          }
        }
      }
      return out;
    }
  }

  /** Just enough protobuf: the length-delimited fields of a message, by number. */
  private static final class Proto {
    static List<byte[]> fields(byte[] message, int number) {
      List<byte[]> out = new ArrayList<>();
      int[] at = {0};
      while (at[0] < message.length) {
        long key = varint(message, at);
        int wire = (int) (key & 7);
        switch (wire) {
          case 0 -> varint(message, at);
          case 1 -> at[0] += 8;
          case 5 -> at[0] += 4;
          case 2 -> {
            int length = (int) varint(message, at);
            if (key >>> 3 == number) {
              out.add(Arrays.copyOfRange(message, at[0], at[0] + length));
            }
            at[0] += length;
          }
          default -> throw new AssertionError("unexpected protobuf wire type " + wire);
        }
      }
      return out;
    }

    static String string(byte[] message, int number) {
      List<byte[]> values = fields(message, number);
      return values.isEmpty() ? "" : new String(values.get(0), StandardCharsets.UTF_8);
    }

    static String hex(byte[] message, int number) {
      List<byte[]> values = fields(message, number);
      return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0));
    }

    private static long varint(byte[] b, int[] at) {
      long value = 0;
      for (int shift = 0; ; shift += 7) {
        byte next = b[at[0]++];
        value |= (long) (next & 0x7f) << shift;
        if (next >= 0) {
          return value;
        }
      }
    }
  }
}
