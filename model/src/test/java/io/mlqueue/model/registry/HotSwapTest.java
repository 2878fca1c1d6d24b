package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker serving {@code registry:price@production} on the embedded broker while feature vectors
 * flow, and the alias moving under it: to a compatible version (swapped in), to one that reads
 * other features and to one whose file is broken (both refused).
 */
class HotSwapTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static TestBroker broker;
  private static Connection connection;
  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    connection = broker.connection();
    broker.deleteQueues(Queues.FEATURES, Queues.Y_PRED, Queues.PREDICT,
        Queues.deadLetterQueue(Queues.FEATURES));
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  private static double[] row(int i) {
    return new double[] {i % 20, (i * 7) % 5};
  }

  @Test
  void theWorkerFollowsTheAliasToCompatibleVersionsOnlyAndLosesNoMessage() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.register("price", Fits.line(dir, 10, -1, 4), null);
    registry.register("price", Fits.otherFeatures(dir), null);
    registry.register("price", Fits.line(dir, 7, 7, 7), null);
    Files.writeString(dir.resolve("registry/price/4/model.json"), "{\"format\": \"mlqueue-mo");
    Map<String, ServableModel> versions = new HashMap<>();
    versions.put("price:1", registry.load("price", 1));
    versions.put("price:2", registry.load("price", 2));

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    LiveModel live = new LiveModel(registry.load("price", 1));
    ModelService service = ModelService.start(connection, AmqpSettings.of(broker.uri()), live,
        new ModelService.Config(64, Duration.ZERO, meters));
    AliasFollower follower = AliasFollower.start(
        registry, ModelReference.parse("registry:price@production"), live, Duration.ofMillis(100));

    FeatureStream stream = new FeatureStream(connection, HotSwapTest::row);
    try {
      stream.awaitMore(100);
      registry.setAlias("price", "production", 2);
      stream.awaitAnswerFrom("price:2");
      stream.awaitMore(100);

      registry.setAlias("price", "production", 3); // reads c, d: refused
      await().atMost(DEADLINE).until(() -> live.refusals() >= 1);
      stream.awaitMore(100);
      registry.setAlias("price", "production", 4); // broken file: refused
      await().atMost(DEADLINE).until(() -> live.refusals() >= 2);
      stream.awaitMore(100);
    } finally {
      stream.stopAndDrain();
    }
    List<ValueMessage> received = stream.received();
    Channel in = stream.channel();
    // The gateway's calls are answered by the swapped-in version too, and say so.
    String replies = in.queueDeclare().getQueue();
    in.basicPublish("", Queues.PREDICT,
        Messages.TRANSIENT_JSON.builder().replyTo(replies).correlationId("c-1").build(),
        "{\"id\": \"r\", \"instances\": [[1, 2]]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    com.rabbitmq.client.GetResponse[] reply = new com.rabbitmq.client.GetResponse[1];
    await().atMost(DEADLINE).until(() -> (reply[0] = in.basicGet(replies, true)) != null);
    assertThat(new String(reply[0].getBody(), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"model\":\"price:2\"")
        .contains(String.valueOf(versions.get("price:2").predict(new double[] {1, 2})));
    follower.close();
    service.close();
    stream.close();

    // Every vector answered exactly once…
    assertThat(received).hasSize(stream.published());
    assertThat(received.stream().map(v -> v.id().toString()).distinct()).hasSize(stream.published());
    // …in input order, version 1 then version 2 and never back, each by its own coefficients.
    List<String> models = new ArrayList<>();
    String last = null;
    for (ValueMessage v : received) {
      int i = FeatureStream.index(v);
      assertThat(v.value()).isEqualTo(versions.get(v.model()).predict(row(i)));
      if (!v.model().equals(last)) {
        models.add(v.model());
        last = v.model();
      }
    }
    assertThat(models).containsExactly("price:1", "price:2");
    assertThat(live.current().id()).isEqualTo("price:2");
    assertThat(live.swaps()).isEqualTo(1);
    assertThat(live.refusals()).isEqualTo(2);
    assertThat(service.rejected()).isZero();
    assertThat(meters.get("mlqueue.model.version").gauge().value()).isEqualTo(2.0);
    assertThat(meters.get("mlqueue.model.swaps").functionCounter().count()).isEqualTo(1.0);
    assertThat(meters.get("mlqueue.model.swaps.refused").functionCounter().count()).isEqualTo(2.0);
  }
}
