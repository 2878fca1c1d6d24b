package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.Queues;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.onnx.OnnxModel;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker following {@code registry:price@production} on the embedded broker while feature vectors
 * flow, and the alias moving under it. No vector is lost or answered twice, each answer is its
 * version's prediction, and the label only moves forward.
 */
class HotSwapTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static TestBroker broker;
  private static Connection connection;
  @TempDir Path dir;
  private ModelRegistry registry;
  private final Map<String, ServableModel> versions = new LinkedHashMap<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    connection = broker.connection();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @BeforeEach
  void emptyQueues() throws Exception {
    broker.deleteQueues(
        Queues.FEATURES, Queues.Y_PRED, Queues.PREDICT, Queues.deadLetterQueue(Queues.FEATURES));
    registry = new ModelRegistry(dir.resolve("registry"));
  }

  @AfterEach
  void closeVersions() throws Exception {
    for (ServableModel model : versions.values()) {
      if (model instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }

  private static double[] row(int i) {
    return new double[] {i % 20, (i * 7) % 5};
  }

  /** Each version as the registry serves it, loaded apart from the worker's to check answers. */
  private void loadVersions(int... numbers) throws Exception {
    for (int n : numbers) {
      versions.put("price:" + n, registry.load("price", n));
    }
  }

  private LiveModel live() throws Exception {
    return new LiveModel(registry.load("price", 1));
  }

  private ModelService serve(LiveModel live) throws Exception {
    return ModelService.start(
        connection,
        AmqpSettings.of(broker.uri()),
        live,
        new ModelService.Config(64, Duration.ZERO, meters));
  }

  private AliasFollower follow(LiveModel live) {
    return AliasFollower.start(
        registry, ModelReference.parse("registry:price@production"), live, Duration.ofMillis(100));
  }

  @Test
  void theWorkerFollowsTheAliasToCompatibleVersionsOnlyAndLosesNoMessage() throws Exception {
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.register("price", Fits.line(dir, 10, -1, 4), null);
    registry.register("price", Fits.otherFeatures(dir), null);
    registry.register("price", Fits.line(dir, 7, 7, 7), null);
    Files.writeString(dir.resolve("registry/price/4/model.json"), "{\"format\": \"mlqueue-mo");
    loadVersions(1, 2);
    LiveModel live = live();
    ModelService service = serve(live);
    AliasFollower follower = follow(live);

    PredictReply call;
    try (FeatureStream stream = new FeatureStream(connection, HotSwapTest::row)) {
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
      stream.stopAndDrain();
      // The gateway's calls are answered by the swapped-in version too, and say so.
      call = stream.call(new double[] {1, 2});

      assertThat(stream.versionsInOrder(versions, 0)).containsExactly("price:1", "price:2");
    } finally {
      follower.close();
      service.close();
    }
    assertThat(call)
        .isEqualTo(
            new PredictReply.Predictions(
                call.id(),
                new double[] {versions.get("price:2").predict(new double[] {1, 2})},
                "price:2"));
    assertThat(live.current().id()).isEqualTo("price:2");
    assertThat(live.swaps()).isEqualTo(1);
    assertThat(live.refusals()).isEqualTo(2);
    assertThat(service.rejected()).isZero();
    assertThat(meters.get("mlqueue.model.version").gauge().value()).isEqualTo(2.0);
    assertThat(meters.get("mlqueue.model.swaps").functionCounter().count()).isEqualTo(1.0);
    assertThat(meters.get("mlqueue.model.swaps.refused").functionCounter().count()).isEqualTo(2.0);
  }

  @Test
  void fromLinearToOnnxToOnnxTheRetiredSessionsAreFreedAndNoMessageIsLost() throws Exception {
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    registry.addOnnx("price", OnnxFiles.line(dir, "v2.onnx", 10, -1, 4), null, Fits.CLOCK);
    registry.addOnnx("price", OnnxFiles.line(dir, "v3.onnx", 7, 7, 7), null, Fits.CLOCK);
    loadVersions(1, 2, 3);
    LiveModel live = live();
    ModelService service = serve(live);
    AliasFollower follower = follow(live);

    PredictReply call;
    try (FeatureStream stream = new FeatureStream(connection, HotSwapTest::row)) {
      stream.awaitMore(100);
      registry.setAlias("price", "production", 2);
      stream.awaitAnswerFrom("price:2");
      stream.awaitMore(100);
      registry.setAlias("price", "production", 3);
      stream.awaitAnswerFrom("price:3");
      stream.awaitMore(100);
      stream.stopAndDrain();
      // A gateway call is answered by the ONNX version served now, under the registry id.
      call = stream.call(new double[] {1, 2});

      // ONNX graphs compute in float: their answers agree to float precision.
      assertThat(stream.versionsInOrder(versions, 1e-4))
          .containsExactly("price:1", "price:2", "price:3");
    } finally {
      follower.close();
      service.close();
      live.close(); // as the worker does after its consumers stop
    }
    assertThat(call)
        .isInstanceOfSatisfying(
            PredictReply.Predictions.class,
            p -> {
              assertThat(p.model()).isEqualTo("price:3");
              assertThat(p.predictions()[0]).isCloseTo(7 + 7 + 14, within(1e-4));
            });
    assertThat(live.swaps()).isEqualTo(2);
    assertThat(live.refusals()).isZero();
    assertThat(service.rejected()).isZero();
    assertThat(meters.get("mlqueue.model.version").gauge().value()).isEqualTo(3.0);
    // The worker's own ONNX sessions are all freed: v2 on retirement, v3 at close.
    assertThat(live.current().id()).isEqualTo("price:3");
    assertThat(((OnnxModel) live.current()).isClosed()).isTrue();
  }
}
