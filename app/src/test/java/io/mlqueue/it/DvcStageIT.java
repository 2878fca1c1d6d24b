package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DVC example's {@code train} stage, run as DVC runs it: its {@code cmd} read from {@code
 * examples/dvc/dvc.yaml} and run by a shell in the stage's directory, with {@code mlqueue} on the
 * PATH (the repository's launcher, running the assembled jar). DVC itself cannot be installed here
 * (its registry is unreachable), so this does what {@code dvc repro} would: checks the deps exist,
 * runs the command, and checks it wrote every out and metrics file the stage declares.
 */
class DvcStageIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void theTrainStagesCommandWritesItsOutsAndMetricsAndRegisters() throws Exception {
    Path example = dir.resolve("dvc");
    copy(ROOT.resolve("examples/dvc"), example);
    JsonNode stage =
        new YAMLMapper().readTree(example.resolve("dvc.yaml").toFile()).at("/stages/train");
    String cmd = stage.get("cmd").asText();
    assertThat(cmd)
        .startsWith("mlqueue train ")
        .contains("--register ")
        .contains("--params params.yaml");
    for (JsonNode dep : stage.get("deps")) {
      assertThat(example.resolve(dep.asText())).as("dep %s", dep.asText()).exists();
    }

    ProcessBuilder shell =
        new ProcessBuilder("bash", "-c", cmd)
            .directory(example.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stage.log").toFile());
    // The repository's root holds the launcher, as the README puts it on the PATH.
    shell.environment().put("PATH", ROOT + ":" + System.getenv("PATH"));
    Process process = shell.start();
    boolean finished = process.waitFor(180, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("stage.log"), StandardCharsets.UTF_8);
    assertThat(finished).as("the stage finished in 180 s:\n%s", log).isTrue();
    assertThat(process.exitValue()).as(log).isZero();

    for (JsonNode out : stage.get("outs")) {
      Path path = example.resolve(out.asText());
      assertThat(path).as("out %s", out.asText()).exists();
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.tribuo");
        }
      }
    }
    assertThat(metricFiles(stage.get("metrics"))).containsExactly("metrics/cv.json");
    JsonNode cv = new ObjectMapper().readTree(example.resolve("metrics/cv.json").toFile());
    assertThat(cv.get("model").asText()).isEqualTo("diabetes:1");
    assertThat(cv.get("algorithm").asText()).isEqualTo("forest");
    assertThat(cv.at("/cross_validation/folds")).hasSize(5);

    // The params the stage declares are the ones the run used, as the registry recorded them.
    JsonNode params =
        new YAMLMapper().readTree(example.resolve("params.yaml").toFile()).get("train");
    RunRecord run = new ModelRegistry(example.resolve("registry")).run("diabetes", 1);
    for (JsonNode key : stage.get("params")) {
      String name = key.asText().substring("train.".length());
      String value = params.get(name).asText();
      if (name.equals("algo")) {
        assertThat(run.trained().orElseThrow().algorithm()).isEqualTo(value);
      } else {
        assertThat(run.trained().orElseThrow().parameters()).containsEntry(name, value);
      }
    }
  }

  /** A stage's metrics: plain paths, or paths with options ({@code - cv.json: {cache: false}}). */
  private static List<String> metricFiles(JsonNode metrics) {
    List<String> keys = new java.util.ArrayList<>();
    for (JsonNode m : metrics) {
      if (m.isTextual()) {
        keys.add(m.asText());
      } else {
        m.fieldNames().forEachRemaining(keys::add);
      }
    }
    return keys;
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        String rel = from.relativize(p).toString();
        if (rel.startsWith("model") || rel.startsWith("registry") || rel.startsWith("metrics")) {
          continue; // what a previous run left
        }
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
