package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import io.mlqueue.features.Shift;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.drift.LiveDrift;
import io.mlqueue.model.drift.ReferenceProfiles;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.stats.drift.WindowSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * features → model on the embedded broker, with a controlled shift of bmi from the 3,000th pair:
 * the model worker's drift monitor starts an episode naming bmi (and the prediction bmi moves, and
 * nothing else) within patience + 1 windows of the shift, over single-row and bulk messages.
 */
class StreamDriftTest {
  private static final int SHIFT_FROM = 3_000;
  private static TestBroker broker;
  private static Connection connection;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
    connection = broker.connection();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @Test
  void theUnshiftedStreamRaisesNoAlarmOverAHundredThousandMessages() throws Exception {
    broker.deleteQueues(
        Queues.FEATURES, Queues.Y_PRED, Queues.Y_TRUE, Queues.deadLetterQueue(Queues.FEATURES));
    AmqpSettings settings = AmqpSettings.of(broker.uri());
    // The default windows, tests and thresholds; every window checked (no minimum interval between
    // checks, no time-closed windows: the stream runs as fast as it can here).
    WindowSettings windows =
        new WindowSettings(
            WindowSettings.DEFAULT_SIZE,
            WindowSettings.DEFAULT_SIZE,
            0,
            50,
            WindowSettings.DEFAULT_PATIENCE,
            0);
    LiveDrift drift =
        new LiveDrift(
            m -> Optional.of(ReferenceProfiles.builtIn()),
            windows,
            new SimpleMeterRegistry(),
            System::currentTimeMillis);
    drift.prepare(BuiltInModel.get());
    List<String> started = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicLong checked = new java.util.concurrent.atomic.AtomicLong();
    drift.onCheck(
        r -> {
          checked.incrementAndGet();
          started.addAll(r.check().started());
        });
    int messages = 100_000;
    try (ModelService service =
        ModelService.start(
            connection,
            settings,
            BuiltInModel.get(),
            ModelService.Config.defaults().withObserver(drift))) {
      new FeaturesService(
              new FeaturesConfig(
                  Dataset.builtIn(), messages, Pace.UNLIMITED, OptionalLong.of(11), 2_000, 1),
              settings,
              connection,
              Clock.systemUTC(),
              FeaturesService.Listener.NO_OP)
          .run(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(120)).until(() -> service.predictions() == messages);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> checked.get() == messages / windows.size());
    } finally {
      drift.close();
      broker.deleteQueues(Queues.Y_PRED, Queues.Y_TRUE);
    }
    assertThat(started).as("drift episodes over %d unshifted messages", messages).isEmpty();
  }

  @ParameterizedTest(name = "{0} rows per message")
  @ValueSource(ints = {1, 50})
  void anInjectedShiftOfOneFeatureIsDetectedWithinABoundAndNamed(int batch) throws Exception {
    broker.deleteQueues(
        Queues.FEATURES,
        Queues.Y_PRED,
        Queues.Y_TRUE,
        Queues.PREDICT,
        Queues.deadLetterQueue(Queues.FEATURES),
        Queues.deadLetterQueue(Queues.Y_PRED),
        Queues.deadLetterQueue(Queues.PREDICT));
    AmqpSettings settings = AmqpSettings.of(broker.uri());
    WindowSettings windows = new WindowSettings(500, 500, 0, 50, 3);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    LiveDrift drift =
        new LiveDrift(
            m -> Optional.of(ReferenceProfiles.builtIn()),
            windows,
            meters,
            System::currentTimeMillis);
    drift.prepare(BuiltInModel.get());
    List<String> started = new CopyOnWriteArrayList<>();
    List<Long> alarmAtWindow = new CopyOnWriteArrayList<>();
    drift.onCheck(
        r -> {
          if (!r.check().started().isEmpty()) {
            alarmAtWindow.add(r.check().number());
          }
          started.addAll(r.check().started());
        });
    ModelService.Config config = ModelService.Config.defaults().withObserver(drift);
    Dataset data = Dataset.builtIn();
    double bmiSd =
        ReferenceProfiles.builtIn().features().stream()
            .filter(c -> c.name().equals("bmi"))
            .findFirst()
            .orElseThrow()
            .std();
    int pairs = SHIFT_FROM + 3_000;
    try (ModelService service =
        ModelService.start(connection, settings, BuiltInModel.get(), config)) {
      FeaturesConfig features =
          new FeaturesConfig(
              data,
              pairs,
              Pace.UNLIMITED,
              OptionalLong.of(5),
              256,
              batch,
              List.of(Shift.parse("bmi:" + bmiSd + "@" + SHIFT_FROM, data)));
      new FeaturesService(
              features, settings, connection, Clock.systemUTC(), FeaturesService.Listener.NO_OP)
          .run(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(60)).until(() -> service.predictions() == pairs);
      await().atMost(Duration.ofSeconds(30)).until(() -> !alarmAtWindow.isEmpty());
    } finally {
      drift.close();
    }
    assertThat(started).contains("bmi").allMatch(c -> c.equals("bmi") || c.equals("prediction"));
    // Windows of 500 rows in the order sent (one consumer): the shift begins in window 7; three
    // drifted windows later, at window 9 or 10, the episode starts.
    long bound = (SHIFT_FROM + (windows.patience() + 1L) * windows.size()) / windows.size();
    assertThat(alarmAtWindow.get(0)).isBetween((long) SHIFT_FROM / windows.size() + 1, bound);
    assertThat(meters.get("mlqueue.drift.episode").tag("feature", "bmi").gauge().value())
        .isEqualTo(1.0);
    assertThat(meters.get("mlqueue.drift.episode").tag("feature", "age").gauge().value())
        .isEqualTo(0.0);
  }
}
