package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker following {@code registry:price@production} on the embedded broker while vectors flow,
 * the alias moving from a trained linear version to an imported ONNX one, then to another ONNX
 * one: the retired ONNX session is freed while the stream goes on, and no message is lost.
 */
class OnnxHotSwapTest {
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
  void linearThenOnnxThenOnnxMidStreamEachMessageAnsweredOnceByItsVersion() throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.addOnnx("price", OnnxFiles.line(dir, "v2.onnx", 10, -1, 4), null, Fits.CLOCK);
    registry.addOnnx("price", OnnxFiles.line(dir, "v3.onnx", 7, 7, 7), null, Fits.CLOCK);
    // Each version as the registry serves it, loaded apart from the worker's to check answers.
    Map<String, ServableModel> versions = new LinkedHashMap<>();
    for (int v = 1; v <= 3; v++) {
      versions.put("price:" + v, registry.load("price", v));
    }

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    LiveModel live = new LiveModel(registry.load("price", 1));
    ModelService service = ModelService.start(connection, AmqpSettings.of(broker.uri()), live,
        new ModelService.Config(64, Duration.ZERO, meters));
    AliasFollower follower = AliasFollower.start(
        registry, ModelReference.parse("registry:price@production"), live, Duration.ofMillis(100));

    FeatureStream stream = new FeatureStream(connection, OnnxHotSwapTest::row);
    try {
      stream.awaitMore(100);
      registry.setAlias("price", "production", 2);
      stream.awaitAnswerFrom("price:2");
      stream.awaitMore(100);
      registry.setAlias("price", "production", 3);
      stream.awaitAnswerFrom("price:3");
      stream.awaitMore(100);
    } finally {
      stream.stopAndDrain();
    }
    List<ValueMessage> received = stream.received();
    Channel in = stream.channel();

    // A gateway call is answered by the ONNX version served now, under the registry id.
    String replies = in.queueDeclare().getQueue();
    in.basicPublish("", Queues.PREDICT,
        Messages.TRANSIENT_JSON.builder().replyTo(replies).correlationId("c-1").build(),
        "{\"id\": \"r\", \"instances\": [[1, 2]]}".getBytes(StandardCharsets.UTF_8));
    GetResponse[] reply = new GetResponse[1];
    await().atMost(DEADLINE).until(() -> (reply[0] = in.basicGet(replies, true)) != null);
    PredictReply answer = new PredictCodec().decodeReply(reply[0].getBody());
    assertThat(answer).isInstanceOf(PredictReply.Predictions.class);
    PredictReply.Predictions predictions = (PredictReply.Predictions) answer;
    assertThat(predictions.model()).isEqualTo("price:3");
    assertThat(predictions.predictions()[0]).isCloseTo(7 + 7 + 14, within(1e-4));

    follower.close();
    service.close();
    live.close(); // as the worker does after its consumers stop
    stream.close();

    // Every vector answered exactly once…
    assertThat(received).hasSize(stream.published());
    assertThat(received.stream().map(v -> v.id().toString()).distinct()).hasSize(stream.published());
    // …in input order, the label only moving forward, each value its version's prediction (float
    // precision for the ONNX versions: their graphs compute in float).
    List<String> models = new ArrayList<>();
    String last = null;
    for (ValueMessage v : received) {
      int i = FeatureStream.index(v);
      double expected = versions.get(v.model()).predict(row(i));
      assertThat(v.value()).isCloseTo(expected, within(1e-4 * Math.max(1, Math.abs(expected))));
      if (!v.model().equals(last)) {
        models.add(v.model());
        last = v.model();
      }
    }
    assertThat(models).containsExactly("price:1", "price:2", "price:3");
    assertThat(live.swaps()).isEqualTo(2);
    assertThat(live.refusals()).isZero();
    assertThat(service.rejected()).isZero();
    assertThat(meters.get("mlqueue.model.version").gauge().value()).isEqualTo(3.0);
    // The worker's own ONNX sessions are all freed: v2 on retirement, v3 at close.
    assertThat(live.current().id()).isEqualTo("price:3");
    assertThat(((io.mlqueue.model.onnx.OnnxModel) live.current()).isClosed()).isTrue();

    for (ServableModel model : versions.values()) {
      if (model instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }
}
