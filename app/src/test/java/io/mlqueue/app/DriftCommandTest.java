package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.drift.ProfileFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlqueue drift} on a data file, and {@code train --register} storing the reference profile.
 */
class DriftCommandTest {
  @TempDir Path dir;

  private Path diabetesCsv() throws Exception {
    Dataset d = Dataset.builtIn();
    StringBuilder text = new StringBuilder(String.join(",", d.featureNames()) + ",target\n");
    for (int i = 0; i < d.size(); i++) {
      for (double v : d.features(i)) {
        text.append(v).append(',');
      }
      text.append(d.target(i)).append('\n');
    }
    Path csv = dir.resolve("diabetes.csv");
    Files.writeString(csv, text);
    return csv;
  }

  @Test
  void theTrainingDataAgainstItsOwnReferenceShowsNoDriftAndAShiftedFeatureIsNamed()
      throws Exception {
    Path csv = diabetesCsv();
    CommandRun same = CommandRun.of("drift", "--data", csv.toString());
    assertThat(same.exit()).as(same.err()).isZero();
    assertThat(same.out())
        .contains("rows 1-442: no drift")
        .contains("ks (p)")
        .contains("MAE estimated");

    CommandRun shifted =
        CommandRun.of(
            "drift",
            "--data",
            csv.toString(),
            "--shift",
            "s5:0.03@221",
            "--window",
            "221",
            "--json");
    assertThat(shifted.exit()).as(shifted.err()).isZero();
    JsonNode report = json(shifted.out());
    JsonNode first = report.get("windows").get(0);
    JsonNode second = report.get("windows").get(1);
    assertThat(columns(first, true)).isEmpty();
    assertThat(columns(second, true)).contains("s5").doesNotContain("age", "bmi");
    assertThat(second.get("realised_mae").asDouble())
        .isGreaterThan(first.get("realised_mae").asDouble());
  }

  @Test
  void rowsWithoutLabelsGetTheEstimateAndNoRealisedMae() throws Exception {
    Dataset d = Dataset.builtIn();
    StringBuilder text = new StringBuilder(String.join(",", d.featureNames()) + "\n");
    for (int i = 0; i < d.size(); i++) {
      double[] row = d.features(i);
      for (int j = 0; j < row.length; j++) {
        text.append(row[j]).append(j + 1 < row.length ? "," : "\n");
      }
    }
    Path csv = Files.writeString(dir.resolve("unlabelled.csv"), text);
    CommandRun run = CommandRun.of("drift", "--data", csv.toString(), "--json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode w = json(run.out()).get("windows").get(0);
    assertThat(w.get("realised_mae").isNull()).isTrue();
    assertThat(w.get("estimated_mae").asDouble()).isBetween(30.0, 60.0);
    assertThat(columns(w, true)).isEmpty();
    assertThat(CommandRun.of("drift", "--data", csv.toString()).out())
        .contains("no labels: realised unknown");
  }

  /**
   * The report, from its first line: when a test is the JVM's first to log, Logback's status lines
   * come before it on the captured output.
   */
  private static JsonNode json(String out) throws Exception {
    int start = out.startsWith("{") ? 0 : out.indexOf("\n{") + 1;
    return new ObjectMapper().readTree(out.substring(start));
  }

  private static java.util.List<String> columns(JsonNode window, boolean drifted) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (JsonNode c : window.get("columns")) {
      if (c.get("drifted").asBoolean() == drifted) {
        out.add(c.get("name").asText());
      }
    }
    return out;
  }

  @Test
  void trainRegisterStoresTheReferenceProfileThatDriftReads() throws Exception {
    Path csv = diabetesCsv();
    Path registry = dir.resolve("registry");
    CommandRun train =
        CommandRun.of(
            "train",
            "--data",
            csv.toString(),
            "--target",
            "target",
            "--register",
            "diabetes",
            "--registry",
            registry.toString());
    assertThat(train.exit()).as(train.err()).isZero();
    assertThat(registry.resolve("diabetes/1/" + ProfileFile.FILE_NAME)).exists();
    CommandRun drift =
        CommandRun.of(
            "drift",
            "--model",
            "registry:diabetes:1",
            "--registry",
            registry.toString(),
            "--data",
            csv.toString());
    assertThat(drift.exit()).as(drift.err()).isZero();
    assertThat(drift.out())
        .contains("against the reference of diabetes:1 (442 rows)")
        .contains("no drift");
  }
}
