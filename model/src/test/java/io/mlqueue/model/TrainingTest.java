package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {
  private static final Instant NOW = Instant.parse("2026-11-29T03:15:00.250Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void trainsWritesAndReportsAModel(@TempDir Path dir) throws Exception {
    // y = 3 + 2a - 0.5b exactly, target in the middle column.
    StringBuilder csv = new StringBuilder("a,y,b\n");
    for (int i = 0; i < 20; i++) {
      double a = i * 0.1;
      double b = (i * 7) % 5;
      csv.append(a).append(',').append(3 + 2 * a - 0.5 * b).append(',').append(b).append('\n');
    }
    Path data = dir.resolve("train.csv");
    Files.writeString(data, csv);
    Path out = dir.resolve("out/model.json");

    LinearModel m = Training.train(data, "y", out, "toy", CLOCK);

    String sha =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(data)));
    assertThat(m.name()).isEqualTo("toy");
    assertThat(m.version()).isEqualTo("20261129T031500Z-" + sha.substring(0, 8));
    assertThat(m.featureNames()).containsExactly("a", "b");
    assertThat(m.targetName()).isEqualTo("y");
    assertThat(m.intercept()).isCloseTo(3, within(1e-9));
    assertThat(m.coefficient("a")).isCloseTo(2, within(1e-9));
    assertThat(m.coefficient("b")).isCloseTo(-0.5, within(1e-9));

    TrainingProvenance p = m.provenance().orElseThrow();
    assertThat(p.data()).isEqualTo("train.csv");
    assertThat(p.rows()).isEqualTo(20);
    assertThat(p.dataSha256()).isEqualTo(sha);
    assertThat(p.trainedAt()).isEqualTo(NOW);
    assertThat(p.trainer()).isEqualTo(OlsTrainer.TRAINER);
    assertThat(p.inSample().r2()).isCloseTo(1, within(1e-12));
    assertThat(p.inSample().mae()).isCloseTo(0, within(1e-9));
    assertThat(p.inSample()).isEqualTo(FitMetrics.evaluate(m, Dataset.load(data, "y")));

    assertThat(ModelArtifact.read(out)).isEqualTo(m);
  }

  @Test
  void aFitRecordsItsRunWithCrossValidationAndWritesNothing(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("diabetes.csv");
    try (var in = Dataset.class.getResourceAsStream("diabetes.csv")) {
      Files.copy(in, data);
    }

    Training.Fit fit = Training.fit(data, "target", "diab", CLOCK);
    LinearModel model = (LinearModel) fit.model();

    TrainingRun run = fit.run();
    assertThat(run.runId()).hasSize(36);
    assertThat(run.startedAt()).isEqualTo(NOW);
    assertThat(run.duration()).isZero(); // a fixed clock
    assertThat(run.dataFile()).isEqualTo("diabetes.csv");
    assertThat(run.rows()).isEqualTo(442);
    assertThat(run.dataSha256()).isEqualTo(model.provenance().orElseThrow().dataSha256());
    assertThat(run.target()).isEqualTo("target");
    assertThat(run.features()).isEqualTo(fit.model().featureNames());
    assertThat(run.algorithm()).isEqualTo("ols");
    assertThat(run.trainer()).isEqualTo(OlsTrainer.TRAINER);
    assertThat(run.parameters())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("cross_validation_folds", "5", "fit_intercept", "true"));
    assertThat(run.inSample()).isEqualTo(model.provenance().orElseThrow().inSample());
    assertThat(run.crossValidation())
        .isEqualTo(CrossValidation.kFold(Dataset.load(data, "target"), 5));
    assertThat(run.crossValidationSkipped()).isNull();
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(data);
    }
  }

  @Test
  void dataTooSmallForCrossValidationStillTrainsAndSaysWhy(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("small.csv");
    Files.writeString(data, "a,y\n1,2\n2,4.5\n3,6\n4,8.2\n5,9.9\n");
    TrainingRun run = Training.fit(data, "y", "small", CLOCK).run();
    assertThat(run.crossValidation()).isNull();
    assertThat(run.crossValidationSkipped())
        .isEqualTo("5 rows are too few for 5 folds of at least 2 rows");
  }

  @Test
  void unusableDataWritesNothing(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("flat.csv");
    Files.writeString(data, "a,k,y\n1,5,2\n2,5,4\n3,5,7\n4,5,8\n");
    Path out = dir.resolve("model.json");
    assertThatThrownBy(() -> Training.train(data, "y", out, "toy", CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feature 'k' is 5.0 in every row");
    assertThatThrownBy(() -> Training.train(data, "target", out, "toy", CLOCK))
        .hasMessageContaining("no column 'target'");
    assertThat(out).doesNotExist();
  }
}
