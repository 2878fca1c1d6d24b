package io.mlqueue.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.Training;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference profile: made from data, stored beside a registry version, read back the same. */
class ReferenceProfileFileTest {
  @TempDir Path dir;

  @Test
  void theBuiltInModelsProfileIsOfTheDiabetesDataAndItsPredictions() {
    ReferenceProfile p = ReferenceProfiles.builtIn();
    assertThat(p.rows()).isEqualTo(442);
    assertThat(p.featureNames()).isEqualTo(BuiltInModel.get().featureNames());
    assertThat(p.prediction().sample()).hasSize(442);
    // The target's mean: OLS with an intercept predicts it on average.
    assertThat(p.prediction().mean())
        .isCloseTo(152.133, org.assertj.core.api.Assertions.within(1e-3));
    assertThat(p.absoluteError()).isPresent();
    assertThat(p.features().get(1).histogram()).hasSize(20);
  }

  @Test
  void aProfileWrittenIsReadBackExactly() throws Exception {
    Path file = dir.resolve(ProfileFile.FILE_NAME);
    ProfileFile.write(ReferenceProfiles.builtIn(), file);
    assertThat(ProfileFile.read(file)).isEqualTo(ReferenceProfiles.builtIn());
  }

  @Test
  void aRegisteredVersionKeepsItsProfileAndTheWorkerFindsIt() throws Exception {
    Path csv = dir.resolve("d.csv");
    Dataset d = Dataset.builtIn();
    StringBuilder text = new StringBuilder(String.join(",", d.featureNames()) + ",target\n");
    for (int i = 0; i < d.size(); i++) {
      for (double v : d.features(i)) {
        text.append(v).append(',');
      }
      text.append(d.target(i)).append('\n');
    }
    Files.writeString(csv, text);
    Clock clock = Clock.fixed(Instant.parse("2026-12-04T12:00:00Z"), ZoneOffset.UTC);
    Training.Fit fit = Training.fit(csv, "target", "diabetes", clock);
    ReferenceProfile profile = ReferenceProfiles.of(Dataset.load(csv, "target"), fit.model());
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    ModelRegistry.Registered r =
        registry.register("diabetes", fit, null, ProfileFile.extras(profile));

    assertThat(registry.extraFile("diabetes", r.version(), ProfileFile.FILE_NAME)).isPresent();
    ServableModel served = registry.load("diabetes", r.version());
    assertThat(ReferenceProfiles.find(served, Optional.of(registry), Optional.empty()))
        .contains(profile);
  }
}
