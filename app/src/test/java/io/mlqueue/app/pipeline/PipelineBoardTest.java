package io.mlqueue.app.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import io.mlqueue.broker.testing.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's pipeline panel on the embedded broker. */
class PipelineBoardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @Test
  void depthsConsumersAndAbsentQueuesAreSampledAndAnAbsentOneIsAskedAgainOnlyLater()
      throws Exception {
    broker.deleteQueues("pb-work", "pb-later");
    try (Channel ch = broker.connection().createChannel()) {
      ch.queueDeclare("pb-work", true, false, false, null);
      for (int i = 0; i < 7; i++) {
        ch.basicPublish("", "pb-work", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
      }
      ch.basicConsume("pb-work", false, (tag, d) -> {}, tag -> {}); // holds, never acks
      try (QueueDepths depths =
          new QueueDepths(PipelineBoardTest::connect, List.of("pb-work", "pb-later"), 3)) {
        Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
        await(() -> depths.sample(t0).get(0).consumers() == 1);
        List<QueueDepths.Queue> first = depths.sample(t0);
        assertThat(first.get(0).name()).isEqualTo("pb-work");
        assertThat(first.get(0).exists()).isTrue();
        assertThat(first.get(0).consumers()).isEqualTo(1);
        assertThat(first.get(1))
            .isEqualTo(new QueueDepths.Queue("pb-later", false, 0, 0, List.of()));

        ch.queueDeclare("pb-later", true, false, false, null);
        ch.basicPublish("", "pb-later", null, "x".getBytes(StandardCharsets.UTF_8));
        // Found absent at t0: not asked again before the recheck interval has passed.
        assertThat(depths.sample(t0.plusSeconds(2)).get(1).exists()).isFalse();
        Instant later = t0.plus(QueueDepths.ABSENT_RECHECK).plusSeconds(1);
        await(() -> depths.sample(later).get(1).depth() == 1);
        QueueDepths.Queue found = depths.sample(later).get(1);
        assertThat(found.exists()).isTrue();
        assertThat(found.consumers()).isZero();
        // The history keeps the last 3 samples of each depth.
        assertThat(depths.sample(later).get(0).depths()).hasSize(3);
      }
    } finally {
      broker.deleteQueues("pb-work", "pb-later");
    }
  }

  @Test
  void theManagementApiIsAskedFirstAndAmqpWhereItDoesNotAnswer() throws Exception {
    byte[] recorded;
    try (java.io.InputStream in =
        getClass().getResourceAsStream("/io/mlqueue/app/status/rabbitmq-3.10-queues.json")) {
      recorded = in.readAllBytes();
    }
    com.sun.net.httpserver.HttpServer stub =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext(
        "/api/queues/",
        exchange -> {
          exchange.sendResponseHeaders(200, recorded.length);
          exchange.getResponseBody().write(recorded);
          exchange.close();
        });
    stub.start();
    io.mlqueue.app.status.ManagementApi api =
        new io.mlqueue.app.status.ManagementApi(
            java.net.URI.create("http://127.0.0.1:" + stub.getAddress().getPort()),
            "guest",
            "guest");
    broker.deleteQueues("features");
    try (QueueDepths depths =
        new QueueDepths(
            PipelineBoardTest::connect,
            Optional.of(api),
            "/",
            List.of("features", "predict.challenger"),
            10)) {
      Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
      List<QueueDepths.Queue> viaApi = depths.sample(t0);
      assertThat(depths.via()).isEqualTo("management API");
      assertThat(viaApi.get(0))
          .isEqualTo(new QueueDepths.Queue("features", true, 450, 0, List.of(450L)));
      assertThat(viaApi.get(1).exists()).isFalse();

      stub.stop(0); // the API goes away: the next sample asks the broker over AMQP
      try (Channel ch = broker.connection().createChannel()) {
        ch.queueDeclare("features", true, false, false, null);
        ch.basicPublish("", "features", null, new byte[] {1});
      }
      await(() -> depths.sample(t0.plusSeconds(2)).get(0).depth() == 1);
      assertThat(depths.via()).isEqualTo("AMQP");
      assertThat(depths.sample(t0.plusSeconds(4)).get(0).depths()).endsWith(1L);
    } finally {
      broker.deleteQueues("features");
    }
  }

  @Test
  void theJsonHasTheQueuesAndTheLastMinutesDelayQuantiles() throws Exception {
    broker.deleteQueues("pb-json");
    try (Channel ch = broker.connection().createChannel()) {
      ch.queueDeclare("pb-json", true, false, false, null);
      ch.basicPublish("", "pb-json", null, new byte[] {1});
      ch.basicPublish("", "pb-json", null, new byte[] {2});
    }
    TreeMap<Double, Double> cumulative = new TreeMap<>();
    cumulative.put(0.001, 0.0);
    cumulative.put(0.002, 0.0);
    cumulative.put(Double.POSITIVE_INFINITY, 0.0);
    MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    try (PipelineBoard board =
        PipelineBoard.start(
            Optional.of(new QueueDepths(PipelineBoardTest::connect, List.of("pb-json"), 10)),
            Optional.of(() -> Optional.of(new DelayHistogram(new TreeMap<>(cumulative)))),
            clock,
            Duration.ofHours(1), // sampled by hand below, not by the timer
            Duration.ofMinutes(1))) {
      board.sample(); // the first sample: the baseline
      cumulative.put(0.001, 90.0);
      cumulative.put(0.002, 99.0);
      cumulative.put(Double.POSITIVE_INFINITY, 100.0);
      clock.now = clock.now.plusSeconds(2);
      JsonNode j = JSON.readTree(board.sample());
      assertThat(j.path("available").asBoolean()).isTrue();
      JsonNode q = j.path("queues").path("items").get(0);
      assertThat(q.path("name").asText()).isEqualTo("pb-json");
      assertThat(q.path("depth").asLong()).isEqualTo(2);
      assertThat(q.path("consumers").asLong()).isZero();
      JsonNode d = j.path("delay");
      assertThat(d.path("available").asBoolean()).isTrue();
      assertThat(d.path("pairs").asDouble()).isEqualTo(100);
      assertThat(d.path("p50").asDouble()).isEqualTo(0.001);
      assertThat(d.path("p95").asDouble()).isEqualTo(0.002);
      assertThat(d.path("p99").asDouble()).isEqualTo(0.002);
      assertThat(d.path("buckets")).hasSize(3);
      assertThat(d.path("buckets").get(2).path("le").isNull()).isTrue(); // +Inf
    } finally {
      broker.deleteQueues("pb-json");
    }
  }

  @Test
  void aBrokerThatCannotBeReachedAndAMissingHistogramAreSaidNotHidden() throws Exception {
    try (PipelineBoard board =
        PipelineBoard.start(
            Optional.of(
                new QueueDepths(
                    () -> {
                      throw new java.net.ConnectException("Connection refused");
                    },
                    List.of("features"),
                    10)),
            Optional.of(() -> Optional.empty()),
            Clock.systemUTC(),
            Duration.ofHours(1),
            Duration.ofMinutes(1))) {
      JsonNode j = JSON.readTree(board.sample());
      assertThat(j.path("queues").path("available").asBoolean()).isFalse();
      assertThat(j.path("queues").path("error").asText()).contains("Connection refused");
      assertThat(j.path("delay").path("available").asBoolean()).isFalse();
      assertThat(j.path("delay").path("error").asText()).isEqualTo("no pair logged yet");
    }
  }

  /** A connection of the sampler's own: it closes it. */
  private static com.rabbitmq.client.Connection connect() throws Exception {
    return io.mlqueue.amqp.BrokerConnector.connect(
        io.mlqueue.amqp.AmqpSettings.of(broker.uri()), "dashboard");
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s");
      }
      Thread.sleep(50);
    }
  }

  private static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
