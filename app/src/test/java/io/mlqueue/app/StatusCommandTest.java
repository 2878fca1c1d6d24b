package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.sun.net.httpserver.HttpServer;
import io.mlqueue.app.status.ManagementApi;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.Queues;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code status} on the embedded broker, with a stub in place of RabbitMQ's management API: read
 * through the API when it answers, over AMQP when it refuses, and unknown never shown as zero.
 */
class StatusCommandTest {
  private static TestBroker broker;
  private static Connection connection;
  private final List<HttpServer> stubs = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    connection = broker.connection();
    try (Channel channel = connection.createChannel()) {
      channel.queueDeclare(Queues.FEATURES, true, false, false, null);
      channel.queueDeclare(Queues.deadLetterQueue(Queues.FEATURES), true, false, false, null);
      channel.basicPublish("", Queues.FEATURES, null, "a".getBytes());
      channel.basicPublish("", Queues.FEATURES, null, "b".getBytes());
    }
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @AfterEach
  void stopStubs() {
    stubs.forEach(s -> s.stop(0));
  }

  /** A stub HTTP server answering every path with {@code status} and {@code body}. */
  private String stub(Map<String, Object[]> answers) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getRawPath();
          Object[] answer =
              answers.entrySet().stream()
                  .filter(e -> path.startsWith(e.getKey()))
                  .map(Map.Entry::getValue)
                  .findFirst()
                  .orElse(new Object[] {404, ""});
          byte[] body = ((String) answer[1]).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders((Integer) answer[0], body.length == 0 ? -1 : body.length);
          if (body.length > 0) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    stubs.add(server);
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static JsonNode document(CommandRun run) throws Exception {
    assertThat(run.exit()).as(run.err()).isZero();
    // The test JVM's log lines share standard output: take the document alone.
    String out = run.out();
    return new ObjectMapper().readTree(out.substring(out.indexOf("\n{\n") + 1));
  }

  private static JsonNode queue(JsonNode status, String name) {
    for (JsonNode q : status.get("queues")) {
      if (q.get("name").asText().equals(name)) {
        return q;
      }
    }
    throw new AssertionError("no queue " + name + " in " + status);
  }

  private static String recorded() throws Exception {
    try (InputStream in = ManagementApi.class.getResourceAsStream("rabbitmq-3.10-queues.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void fallsBackToAmqpWhenTheApiRefusesAndSaysWhy() throws Exception {
    String api = stub(Map.of("/api/", new Object[] {401, "{\"error\":\"not_authorised\"}"}));
    JsonNode status =
        document(
            CommandRun.of(
                "status",
                "--json",
                "--amqp-uri",
                broker.uri(),
                "--management-url",
                api,
                "--health",
                "model=http://127.0.0.1:1/health"));
    assertThat(status.get("via").asText()).isEqualTo("AMQP");
    assertThat(status.get("viaDetail").asText()).contains("refused at " + api + ": 401");
    JsonNode features = queue(status, "features");
    assertThat(features.get("ready").asLong()).isEqualTo(2);
    assertThat(features.get("consumers").asLong()).isZero();
    assertThat(features.get("unacked").isNull()).as("AMQP cannot tell: unknown").isTrue();
    assertThat(features.get("mode").isNull()).isTrue();
    assertThat(features.get("rates").isNull()).isTrue();
    assertThat(queue(status, "y_pred").get("exists").asBoolean()).isFalse();

    CommandRun text =
        CommandRun.of(
            "status",
            "--amqp-uri",
            broker.uri(),
            "--management-url",
            api,
            "--health",
            "model=http://127.0.0.1:1/health");
    assertThat(text.out())
        .contains("read over AMQP (the management API refused at " + api + ": 401")
        .containsPattern("features +\\? +2 +\\? +0 +\\? +\\? +\\?")
        .containsPattern("y_pred +absent");
  }

  @Test
  void fallsBackWhenNothingAnswersAndSkipsTheApiWhenToldTo() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    JsonNode refused =
        document(
            CommandRun.of(
                "status",
                "--json",
                "--amqp-uri",
                broker.uri(),
                "--management-url",
                "http://127.0.0.1:" + closed,
                "--health",
                "m=http://127.0.0.1:1/health"));
    assertThat(refused.get("via").asText()).isEqualTo("AMQP");
    assertThat(refused.get("viaDetail").asText())
        .contains("not answering at http://127.0.0.1:" + closed)
        .contains("connection refused");

    JsonNode none =
        document(
            CommandRun.of(
                "status",
                "--json",
                "--amqp-uri",
                broker.uri(),
                "--management-url",
                "none",
                "--health",
                "m=http://127.0.0.1:1/health"));
    assertThat(none.get("via").asText()).isEqualTo("AMQP");
    assertThat(none.get("viaDetail").asText()).isEqualTo("--management-url none");
  }

  @Test
  void readsThroughTheApiWhenItAnswersWithTheModelsAWorkerServes() throws Exception {
    String api = stub(Map.of("/api/queues/", new Object[] {200, recorded()}));
    String worker =
        stub(
            Map.of(
                "/health", new Object[] {200, "{\"status\":\"ready\",\"service\":\"model\"}"},
                "/metrics",
                    new Object[] {
                      200, "mlqueue_model_info{model=\"price:2\",role=\"champion\"} 1.0\n"
                    }));
    JsonNode status =
        document(
            CommandRun.of(
                "status",
                "--json",
                "--amqp-uri",
                broker.uri(),
                "--management-url",
                api,
                "--health",
                "model=" + worker + "/health"));
    assertThat(status.get("via").asText()).isEqualTo("management API");
    assertThat(status.get("viaDetail").asText()).isEqualTo(api);
    JsonNode yTrue = queue(status, "y_true");
    assertThat(yTrue.get("ready").asLong()).isEqualTo(445);
    assertThat(yTrue.get("unacked").asLong()).isEqualTo(5);
    assertThat(yTrue.get("consumers").asLong()).isEqualTo(1);
    assertThat(yTrue.get("mode").asText()).isEqualTo("durable");
    assertThat(queue(status, "y_pred").get("mode").asText()).isEqualTo("transient (course)");
    assertThat(queue(status, "y_pred").get("ready").isNull()).as("not reported: unknown").isTrue();
    assertThat(queue(status, "predict").get("mode").asText()).isEqualTo("durable quorum");
    assertThat(queue(status, "features").get("rates").get("publish").asDouble()).isEqualTo(19.2);
    assertThat(queue(status, "features").get("rates").get("ack").isNull()).isTrue();
    assertThat(queue(status, "y_true_feedback").get("exists").asBoolean()).isFalse();
    assertThat(status.get("models").get("model").get(0).get("model").asText()).isEqualTo("price:2");

    CommandRun text =
        CommandRun.of(
            "status",
            "--amqp-uri",
            broker.uri(),
            "--management-url",
            api,
            "--health",
            "model=" + worker + "/health");
    assertThat(text.out())
        .contains("read through the management API at " + api)
        .containsPattern("y_true +durable +445 +5 +1 +19\\.2 +\\? +\\?")
        .containsPattern("y_pred +transient \\(course\\) +\\? +\\? +\\? +19\\.2 +19\\.2 +0\\.0")
        .contains("models served by model: price:2 (champion)");
  }

  @Test
  void watchReadsAgainThroughEitherPath() throws Exception {
    java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] body = recorded().getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/api/queues/",
        exchange -> {
          // The first answer refuses, the next ones answer: the path is chosen anew at each
          // refresh.
          int n = asked.incrementAndGet();
          exchange.sendResponseHeaders(n == 1 ? 401 : 200, n == 1 ? -1 : body.length);
          if (n > 1) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
    stubs.add(server);
    String api = "http://127.0.0.1:" + server.getAddress().getPort();
    java.util.concurrent.atomic.AtomicReference<CommandRun> run =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread watching =
        new Thread(
            () ->
                run.set(
                    CommandRun.of(
                        "status",
                        "--json",
                        "--watch",
                        "100ms",
                        "--amqp-uri",
                        broker.uri(),
                        "--management-url",
                        api,
                        "--health",
                        "m=http://127.0.0.1:1/health")));
    watching.start();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (asked.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    watching.interrupt(); // as Ctrl-C would end it
    watching.join(30_000);
    String out = run.get().out();
    assertThat(asked.get()).isGreaterThanOrEqualTo(3);
    assertThat(out).contains("\"via\" : \"AMQP\"").contains("\"via\" : \"management API\"");
    assertThat(out.indexOf("\"via\" : \"AMQP\""))
        .isLessThan(out.indexOf("\"via\" : \"management API\""));
  }

  @Test
  void anUnknownValueIsShownAsUnknownAndAZeroAsZero() {
    StatusCommand.QueueState zero =
        new StatusCommand.QueueState(
            "features",
            true,
            "durable",
            true,
            "classic",
            Map.of(),
            0L,
            0L,
            0L,
            new ManagementApi.Rates(0.0, 0.0, 0.0));
    StatusCommand.QueueState unknown = StatusCommand.QueueState.amqp("y_true", true, 0L, null);
    String text =
        StatusCommand.toText(
            new StatusCommand.Status(
                "b",
                "management API",
                "http://x",
                List.of(zero, unknown),
                Map.of(),
                Map.of(),
                Map.of()));
    assertThat(text)
        .containsPattern("features +durable +0 +0 +0 +0\\.0 +0\\.0 +0\\.0\n")
        .containsPattern("y_true +\\? +0 +\\? +\\? +\\? +\\? +\\?\n")
        .contains("models served: ?");
  }

  @Test
  void describesEachModeInWords() {
    assertThat(StatusCommand.mode(info(true, "classic", Map.of()))).isEqualTo("durable");
    assertThat(StatusCommand.mode(info(false, "classic", Map.of())))
        .isEqualTo("transient (course)");
    assertThat(StatusCommand.mode(info(true, "quorum", Map.of("x-queue-type", "quorum"))))
        .isEqualTo("durable quorum");
    assertThat(
            StatusCommand.mode(
                info(
                    true, "classic", Map.of("x-dead-letter-exchange", "", "x-message-ttl", 60000))))
        .isEqualTo("durable x-dead-letter-exchange= x-message-ttl=60000");
  }

  private static ManagementApi.QueueInfo info(
      boolean durable, String type, Map<String, Object> args) {
    return new ManagementApi.QueueInfo("q", durable, false, false, type, args, 0L, 0L, 0L, null);
  }
}
