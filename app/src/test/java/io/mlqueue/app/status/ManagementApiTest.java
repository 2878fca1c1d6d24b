package io.mlqueue.app.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.mlqueue.amqp.AmqpSettings;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The management API client on a recorded answer of RabbitMQ 3.10.8's {@code GET /api/queues/VHOST}
 * (queues declared as the default mode, the course mode and {@code --queue-type quorum}, while a
 * stream flowed and one consumer held 5 messages unacked) and on a stub server that refuses.
 */
class ManagementApiTest {
  static String recorded() throws Exception {
    try (InputStream in =
        ManagementApiTest.class.getResourceAsStream("rabbitmq-3.10-queues.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Map<String, ManagementApi.QueueInfo> byName(List<ManagementApi.QueueInfo> queues) {
    return queues.stream()
        .collect(Collectors.toMap(ManagementApi.QueueInfo::name, Function.identity()));
  }

  @Test
  void readsShapeDepthConsumersAndRatesOfARecordedAnswer() throws Exception {
    Map<String, ManagementApi.QueueInfo> q = byName(ManagementApi.parseQueues(recorded()));
    assertThat(q)
        .containsOnlyKeys("features", "features.dlq", "predict", "y_pred", "y_true", "y_true.dlq");

    ManagementApi.QueueInfo features = q.get("features");
    assertThat(features.durable()).isTrue();
    assertThat(features.type()).isEqualTo("classic");
    assertThat(features.arguments()).isEmpty();
    assertThat(features.ready()).isEqualTo(450);
    assertThat(features.unacked()).isZero();
    assertThat(features.consumers()).isZero();
    // Only publishes went through it: the API reports no deliver or ack rate, so they are unknown.
    assertThat(features.rates()).isEqualTo(new ManagementApi.Rates(19.2, null, null));

    ManagementApi.QueueInfo yTrue = q.get("y_true");
    assertThat(yTrue.ready()).isEqualTo(445);
    assertThat(yTrue.unacked()).isEqualTo(5);
    assertThat(yTrue.consumers()).isEqualTo(1);

    ManagementApi.QueueInfo predict = q.get("predict");
    assertThat(predict.type()).isEqualTo("quorum");
    assertThat(predict.arguments()).isEqualTo(Map.of("x-queue-type", "quorum"));
    assertThat(predict.rates()).as("nothing went through it: no message_stats").isNull();

    // The broker had not collected this queue's statistics: its depth and consumers are absent
    // from the answer, and must stay unknown rather than read as 0.
    ManagementApi.QueueInfo yPred = q.get("y_pred");
    assertThat(yPred.durable()).isFalse();
    assertThat(yPred.ready()).isNull();
    assertThat(yPred.unacked()).isNull();
    assertThat(yPred.consumers()).isNull();
    assertThat(yPred.rates()).isEqualTo(new ManagementApi.Rates(19.2, 19.2, 0.0));
  }

  @Test
  void anAnswerThatIsNotAListOfQueuesIsRefused() {
    assertThatThrownBy(() -> ManagementApi.parseQueues("{\"error\":\"x\"}"))
        .hasMessageContaining("not a JSON array");
  }

  @Test
  void derivesTheUrlFromTheAmqpHostAndTakesItsCredentials() throws Exception {
    AmqpSettings plain = AmqpSettings.of("amqp://ann:s%40cret@broker.example:5673/prod");
    assertThat(ManagementApi.defaultUrl(plain))
        .isEqualTo(URI.create("http://broker.example:15672"));
    assertThat(ManagementApi.defaultUrl(AmqpSettings.of("amqps://h1:5671/v,amqps://h2:5671/v")))
        .isEqualTo(URI.create("https://h1:15671"));
    assertThat(ManagementApi.of(plain, "http://u:p@other:1234/").base())
        .as("credentials never shown")
        .isEqualTo(URI.create("http://other:1234/"));
    assertThatThrownBy(() -> ManagementApi.of(plain, "other:1234"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--management-url");

    AtomicReference<String> seen = new AtomicReference<>();
    AtomicReference<String> auth = new AtomicReference<>();
    HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext(
        "/",
        exchange -> {
          seen.set(exchange.getRequestURI().getRawPath());
          auth.set(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    stub.start();
    try {
      String url = "http://127.0.0.1:" + stub.getAddress().getPort();
      assertThat(ManagementApi.of(plain, url).queues("/")).isEmpty();
      assertThat(seen.get()).isEqualTo("/api/queues/%2F");
      assertThat(auth.get())
          .isEqualTo(
              "Basic "
                  + java.util.Base64.getEncoder()
                      .encodeToString("ann:s@cret".getBytes(StandardCharsets.UTF_8)));
    } finally {
      stub.stop(0);
    }
  }

  @Test
  void aRefusalOrNoAnswerIsUnavailableSayingWhy() throws Exception {
    HttpServer stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(401, -1);
          exchange.close();
        });
    stub.start();
    try {
      ManagementApi api =
          new ManagementApi(
              URI.create("http://127.0.0.1:" + stub.getAddress().getPort()), "guest", "wrong");
      assertThatThrownBy(() -> api.queues("v"))
          .isInstanceOf(ManagementApi.Unavailable.class)
          .hasMessageContaining("401")
          .hasMessageContaining("user 'guest'");
    } finally {
      stub.stop(0);
    }

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ManagementApi nobody =
        new ManagementApi(URI.create("http://127.0.0.1:" + closed), "guest", "guest");
    assertThatThrownBy(() -> nobody.queues("v"))
        .isInstanceOf(ManagementApi.Unavailable.class)
        .hasMessageContaining("not answering at http://127.0.0.1:" + closed)
        .hasMessageContaining("connection refused");
  }
}
