package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.broker.EmbeddedBroker;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.service.ModelService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP gateway end to end in one JVM: a client posts to {@link GatewayServer}, which calls a
 * real {@link ModelService} through {@link AmqpPredictor} on the embedded broker. The gateway's own
 * tests use a fake predictor and the predictor's tests skip HTTP; only here do the JSON on the
 * wire, the request/reply call and the model meet, and the answers are checked against
 * scikit-learn's predictions rather than against our own model.
 */
class GatewayEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-9;
  private static final String MODEL_ID = "diabetes-ols:builtin";
  private static final String EXPECTED_FEATURES = "age, sex, bmi, bp, s1, s2, s3, s4, s5, s6";

  private static EmbeddedBroker broker;
  private static AmqpSettings settings;
  private static double[] reference;
  private static final Dataset DATA = Dataset.builtIn();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    // One broker for the class: it takes seconds to start, and each test resets its queue.
    broker = EmbeddedBroker.start();
    settings = AmqpSettings.of(broker.amqpUri());
    reference = referencePredictions();
    assertThat(reference).hasSize(DATA.size());
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void deleteRequestQueue() throws Exception {
    // A request left over from another test (the stuck worker's) must not reach this one's worker.
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.amqpUri());
    try (Connection c = factory.newConnection("test-cleanup")) {
      for (String queue : List.of(Queues.PREDICT, Queues.deadLetterQueue(Queues.PREDICT))) {
        Channel channel = c.createChannel();
        try {
          channel.queueDelete(queue);
          channel.close();
        } catch (IOException | TimeoutException e) {
          // Qpid answers a missing queue with a channel error: nothing to delete.
        }
      }
    }
  }

  @AfterEach
  void closeInReverse() throws Exception {
    // Reverse order of opening: the server before its predictor, each before its connection.
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
  }

  // ---- the tests ----

  @Test
  void predictionsOverHttpEqualScikitLearnsForListsNamesInAnyOrderAndBatches() throws Exception {
    startWorker();
    Gateway gateway = startGateway(Duration.ofSeconds(5));
    awaitReady(gateway);

    // Every row as {"features": [...]}: one prediction per row, scikit-learn's.
    for (int row = 0; row < DATA.size(); row++) {
      Answer a = gateway.post(json(features(DATA.features(row))));
      assertThat(a.status()).as("row %d: %s", row, a.body()).isEqualTo(200);
      assertThat(a.json().path("prediction").asDouble())
          .as("prediction for row %d", row)
          .isCloseTo(reference[row], within(TOLERANCE));
      assertThat(a.json().path("model").asText()).isEqualTo(MODEL_ID);
      assertThat(a.json().path("id").asText()).isNotBlank();
      assertThat(a.json().has("predictions")).as("one instance: no list").isFalse();
    }

    // Named features in a shuffled key order: the worker must put them back in the model's order
    // (a positional read of the object would give a different, wrong number).
    Random random = new Random(42);
    for (int row = 0; row < DATA.size(); row += 7) {
      ObjectNode body = JSON.createObjectNode();
      body.set("features", named(row, random));
      Answer a = gateway.post(json(body));
      assertThat(a.status()).as("row %d by name: %s", row, a.body()).isEqualTo(200);
      assertThat(a.json().path("prediction").asDouble())
          .as("prediction for row %d sent as %s", row, body)
          .isCloseTo(reference[row], within(TOLERANCE));
    }

    // All rows in one batch, positional: predictions in the order of the instances.
    ObjectNode batch = JSON.createObjectNode();
    ArrayNode instances = batch.putArray("instances");
    for (int row = 0; row < DATA.size(); row++) {
      instances.add(list(DATA.features(row)));
    }
    assertBatchMatches(gateway.post(json(batch)), allRows());

    // A batch of named instances, each in its own key order, rows out of order.
    List<Integer> rows = allRows();
    Collections.shuffle(rows, random);
    rows = rows.subList(0, 100);
    ObjectNode namedBatch = JSON.createObjectNode();
    ArrayNode namedInstances = namedBatch.putArray("instances");
    for (int row : rows) {
      namedInstances.add(named(row, random));
    }
    assertBatchMatches(gateway.post(json(namedBatch)), rows);

    assertThat(gateway.predictor().pendingCalls()).isZero();
  }

  @Test
  void aRowOfTheWrongLengthIsRefusedByTheWorkerWith400NamingTheExpectedFeatures() throws Exception {
    startWorker();
    Gateway gateway = startGateway(Duration.ofSeconds(5));
    awaitReady(gateway);

    // The gateway does not know the model, so the length check is the worker's: invalid_input is
    // the code of a worker's refusal, and its words are the model's.
    Answer shortRow = gateway.post("{\"features\": [0.01, 0.02, 0.03]}");
    assertThat(shortRow.status()).as(shortRow.body()).isEqualTo(400);
    assertThat(shortRow.code()).isEqualTo("invalid_input");
    assertThat(shortRow.message())
        .contains("expected 10 features (" + EXPECTED_FEATURES + "), got 3");
    assertThat(shortRow.json().path("error").path("status").asInt()).isEqualTo(400);

    // The same for a name the model does not know.
    ObjectNode body = JSON.createObjectNode();
    ObjectNode unknown = named(0, new Random(1));
    unknown.remove("bp");
    unknown.put("blood_pressure", 0.5);
    body.set("features", unknown);
    Answer wrongName = gateway.post(json(body));
    assertThat(wrongName.status()).as(wrongName.body()).isEqualTo(400);
    assertThat(wrongName.code()).isEqualTo("invalid_input");
    assertThat(wrongName.message())
        .contains("unknown feature 'blood_pressure'; the model expects " + EXPECTED_FEATURES);

    // A refusal does not hurt the worker: the next request is served.
    Answer ok = gateway.post(json(features(DATA.features(3))));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json().path("prediction").asDouble()).isCloseTo(reference[3], within(TOLERANCE));
  }

  @Test
  void withoutAWorkerARequestGets503NoWorkerAtOnceNotAfterTheTimeout() throws Exception {
    Duration timeout = Duration.ofSeconds(5);
    Gateway gateway = startGateway(timeout);

    Answer health = gateway.get("/health");
    assertThat(health.status()).as(health.body()).isEqualTo(503);
    assertThat(health.json().path("status").asText()).isEqualTo("not_ready");
    assertThat(health.json().path("workers").asInt()).isZero();

    long start = System.nanoTime();
    Answer a = gateway.post(json(features(DATA.features(0))));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(a.status()).as(a.body()).isEqualTo(503);
    assertThat(a.code()).isEqualTo("no_worker");
    assertThat(a.header("Retry-After")).isEqualTo("1");
    // Failing fast is the point: a client must not wait 5 s for an answer known at once.
    assertThat(took).as("time to the 503").isLessThan(Duration.ofSeconds(1));
    assertThat(gateway.predictor().pendingCalls()).isZero();
  }

  @Test
  void aStuckWorkerMakesTheRequest504TimeoutAndLeavesNoPendingCall() throws Exception {
    // A "worker" that takes requests off queue predict and never answers.
    Connection stuckConnection = connect("stuck-worker");
    Channel stuck = stuckConnection.createChannel();
    stuck.queueDeclare(Queues.PREDICT, true, false, false, null);
    AtomicInteger taken = new AtomicInteger();
    stuck.basicConsume(
        Queues.PREDICT,
        true,
        new DefaultConsumer(stuck) {
          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            taken.incrementAndGet();
          }
        });
    Duration timeout = Duration.ofMillis(300);
    Gateway gateway = startGateway(timeout);
    awaitReady(gateway);

    long start = System.nanoTime();
    Answer a = gateway.post(json(features(DATA.features(0))));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(a.status()).as(a.body()).isEqualTo(504);
    assertThat(a.code()).isEqualTo("timeout");
    assertThat(a.message()).contains("300 ms");
    assertThat(took).as("time to the 504").isBetween(timeout, Duration.ofSeconds(3));
    // The request did reach the stuck worker: the 504 is its silence, not a lost message.
    await("the stuck worker got the request")
        .atMost(Duration.ofSeconds(2))
        .until(() -> taken.get() == 1);
    // The timed-out call is forgotten (its removal may trail the response by a moment).
    await("no pending call left")
        .atMost(Duration.ofSeconds(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> gateway.predictor().pendingCalls() == 0);
    assertThat(
            gateway
                .registry()
                .get("mlqueue.gateway.requests")
                .tag("protocol", "v1")
                .tag("outcome", "timeout")
                .tag("status", "504")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  // ---- the system under test ----

  /** A gateway on an ephemeral port of 127.0.0.1, over its own predictor and connection. */
  private record Gateway(
      GatewayServer server,
      AmqpPredictor predictor,
      PrometheusMeterRegistry registry,
      HttpClient http) {
    Answer post(String body) {
      return send(
          HttpRequest.newBuilder(URI.create(server.url() + "/v1/predict"))
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(20))
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
              .build());
    }

    Answer get(String path) {
      return send(
          HttpRequest.newBuilder(URI.create(server.url() + path))
              .timeout(Duration.ofSeconds(20))
              .GET()
              .build());
    }

    private Answer send(HttpRequest request) {
      try {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        boolean isJson =
            r.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
        return new Answer(r, isJson ? JSON.readTree(r.body()) : null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** An HTTP answer with its JSON body (null if it was not JSON). */
  private record Answer(HttpResponse<String> raw, JsonNode json) {
    int status() {
      return raw.statusCode();
    }

    String body() {
      return raw.body();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String code() {
      return json.path("error").path("code").asText(null);
    }

    String message() {
      return json.path("error").path("message").asText(null);
    }
  }

  private Connection connect(String name) throws Exception {
    Connection c = BrokerConnector.connect(settings, name);
    open.add(c);
    return c;
  }

  private void startWorker() throws Exception {
    Connection c = connect("model");
    open.add(ModelService.start(c, settings, BuiltInModel.get()));
  }

  private Gateway startGateway(Duration timeout) throws Exception {
    Connection c = connect("gateway");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AmqpPredictor predictor = AmqpPredictor.start(c, settings, registry);
    open.add(predictor);
    GatewayServer server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0).withTimeout(timeout),
            predictor,
            registry);
    open.add(server);
    return new Gateway(server, predictor, registry, http);
  }

  /** Until /health says ready: the predictor has seen the worker consume queue predict. */
  private static void awaitReady(Gateway gateway) {
    await("gateway ready")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> gateway.get("/health").status() == 200);
  }

  // ---- bodies and expectations ----

  private static void assertBatchMatches(Answer a, List<Integer> rows) {
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json().path("model").asText()).isEqualTo(MODEL_ID);
    JsonNode predictions = a.json().path("predictions");
    assertThat(predictions.size()).isEqualTo(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(predictions.get(i).asDouble())
          .as("predictions[%d] (row %d)", i, rows.get(i))
          .isCloseTo(reference[rows.get(i)], within(TOLERANCE));
    }
  }

  private static List<Integer> allRows() {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < DATA.size(); i++) {
      rows.add(i);
    }
    return rows;
  }

  private static ObjectNode features(double[] row) {
    ObjectNode body = JSON.createObjectNode();
    body.set("features", list(row));
    return body;
  }

  private static ArrayNode list(double[] row) {
    ArrayNode a = JSON.createArrayNode();
    for (double v : row) {
      a.add(v);
    }
    return a;
  }

  /** Row {@code row} as {@code {"name": value, …}}, keys in a random order. */
  private static ObjectNode named(int row, Random random) {
    double[] values = DATA.features(row);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    ObjectNode o = JSON.createObjectNode();
    for (int i : order) {
      o.put(DATA.featureNames().get(i), values[i]);
    }
    return o;
  }

  private static String json(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** scikit-learn's predictions for the 442 rows, from the reference file. */
  private static double[] referencePredictions() throws IOException {
    try (InputStream in =
        GatewayEndToEndTest.class.getResourceAsStream("/reference_linear_regression.json")) {
      JsonNode predictions = JSON.readTree(in).path("full_fit").path("predictions");
      double[] out = new double[predictions.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = predictions.get(i).asDouble();
      }
      return out;
    }
  }
}
