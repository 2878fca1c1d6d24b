package io.mlqueue.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.stats.drift.WindowSettings;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The worker's monitor: checks counted per version, meters moved when an alias swaps the model. */
class LiveDriftTest {
  private final Dataset data = Dataset.builtIn();
  private final LinearModel v1 = BuiltInModel.get();
  private final LinearModel v2 =
      new LinearModel(
          "diabetes-ols",
          "2",
          v1.featureNames(),
          v1.targetName(),
          v1.intercept(),
          v1.coefficients(),
          null);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private void feed(LiveDrift drift, LinearModel model, int rows) {
    for (int i = 0; i < rows; i++) {
      double[] row = data.features(i % data.size());
      drift.observe(model, new double[][] {row}, new double[] {model.predict(row)});
    }
  }

  private double checks(String model) {
    var c = meters.find("mlqueue.drift.checks").tag("model", model).counter();
    return c == null ? -1 : c.count();
  }

  @Test
  void aSwappedModelIsWatchedUnderItsOwnLabelAndTheOldOnesMetersGo() throws Exception {
    try (LiveDrift drift =
        new LiveDrift(
            m -> Optional.of(ReferenceProfiles.builtIn()),
            new WindowSettings(100, 100, 0, 10, 3),
            meters,
            System::currentTimeMillis)) {
      drift.prepare(v1);
      feed(drift, v1, 250);
      await().atMost(Duration.ofSeconds(20)).until(() -> checks(v1.id()) == 2);

      // The swap: the new version's profile loads off the consumer's thread; v1's meters go at
      // once.
      feed(drift, v2, 1);
      assertThat(checks(v1.id())).isEqualTo(-1);
      await().atMost(Duration.ofSeconds(20)).until(() -> checks(v2.id()) == 0);
      feed(drift, v2, 100);
      await().atMost(Duration.ofSeconds(20)).until(() -> checks(v2.id()) == 1);
      assertThat(
              meters
                  .find("mlqueue.drift.episode")
                  .tag("model", v2.id())
                  .tag("feature", "bmi")
                  .gauge())
          .isNotNull();
    }
  }

  @Test
  void watchingStartedAtStartUpCatchesUpWithoutHoldingTheCaller() throws Exception {
    try (LiveDrift drift =
        new LiveDrift(
            m -> Optional.of(ReferenceProfiles.builtIn()),
            new WindowSettings(100, 100, 0, 10, 3),
            meters,
            System::currentTimeMillis)) {
      drift.startWatching(v1);
      await().atMost(Duration.ofSeconds(20)).until(() -> checks(v1.id()) == 0);
      feed(drift, v1, 100);
      await().atMost(Duration.ofSeconds(20)).until(() -> checks(v1.id()) == 1);
    }
  }

  @Test
  void aModelWithoutProfileIsNotWatchedAndNothingFails() throws Exception {
    try (LiveDrift drift =
        new LiveDrift(
            m -> Optional.empty(), WindowSettings.defaults(), meters, System::currentTimeMillis)) {
      drift.prepare(v1);
      feed(drift, v1, 600);
      assertThat(checks(v1.id())).isEqualTo(-1);
    }
  }
}
