package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelFormatException;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.onnx.OnnxModel;
import io.mlqueue.model.onnx.TinyGraphs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX files registered with {@code addOnnx}, beside trained linear versions of the same name. */
class OnnxVersionsTest {
  @TempDir Path dir;

  private ModelRegistry registry() {
    return new ModelRegistry(dir.resolve("registry"));
  }

  private static final double[][] ROWS = {{0, 0}, {1, 2}, {-3.5, 10}, {19, 4}};

  @Test
  void anOnnxFileBecomesTheNextVersionServedUnderTheRegistryId() throws Exception {
    ModelRegistry registry = registry();
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    Path file = OnnxFiles.line(dir, "exported price.onnx", 10, -1, 4);

    ModelRegistry.Added added = registry.addOnnx("price", file, "staging", Fits.CLOCK);

    assertThat(added.version()).isEqualTo(2);
    assertThat(added.previousAlias()).isEmpty();
    assertThat(registry.aliases("price"))
        .containsEntry("production", 1)
        .containsEntry("staging", 2);
    assertThat(registry.format("price", 1)).isEqualTo(ModelFormat.LINEAR);
    assertThat(registry.format("price", 2)).isEqualTo(ModelFormat.ONNX);
    // A byte-for-byte copy, and nothing else left in the name's directory.
    Path copy = dir.resolve("registry/price/2/model.onnx");
    assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(file));
    try (Stream<Path> left = Files.list(dir.resolve("registry/price"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("1", "2", "aliases.json", ".lock");
    }
    try (Stream<Path> inVersion = Files.list(dir.resolve("registry/price/2"))) {
      assertThat(inVersion.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("model.onnx", "run.json");
    }

    try (OnnxModel original = OnnxModel.load(file);
        OnnxModel served = (OnnxModel) registry.load("price", 2)) {
      assertThat(original.id()).isEqualTo("exported:7.1");
      assertThat(served.id()).isEqualTo("price:2");
      assertThat(served.name()).isEqualTo("price");
      assertThat(served.version()).isEqualTo("2");
      assertThat(served.featureNames()).containsExactly("a", "b");
      assertThat(served.targetName()).isEqualTo("y");
      assertThat(served.predict(ROWS)).isEqualTo(original.predict(ROWS));
      assertThat(served.predict(new double[] {1, 2})).isEqualTo(10 - 1 + 8);
    }

    RunRecord run = registry.run("price", 2);
    assertThat(run.isImported()).isTrue();
    assertThat(run.trained()).isEmpty();
    assertThat(run.name()).isEqualTo("price");
    assertThat(run.version()).isEqualTo(2);
    assertThat(run.createdAt()).isEqualTo(Instant.parse("2026-11-29T03:15:00Z"));
    RunRecord.Import imported = run.importedFrom().orElseThrow();
    assertThat(run.format()).isEqualTo(ModelFormat.ONNX);
    assertThat(imported.fromMlflow()).isEmpty();
    assertThat(imported.sourceFile()).isEqualTo("exported price.onnx");
    assertThat(imported.sha256()).isEqualTo(sha256(file));
    assertThat(imported.bytes()).isEqualTo(Files.size(file));
    assertThat(imported.declaredName()).isEqualTo("exported");
    assertThat(imported.declaredVersion()).isEqualTo("7.1");
    assertThat(imported.features()).containsExactly("a", "b");
    assertThat(imported.target()).isEqualTo("y");
    // The trained version's record is untouched by the import.
    assertThat(registry.run("price", 1).isImported()).isFalse();
  }

  @Test
  void aGraphTheWorkerCannotServeIsRefusedWithItsReasonAndNothingIsRegistered() throws Exception {
    ModelRegistry registry = registry();
    Path twoInputs = TinyGraphs.write(TinyGraphs.twoInputs(2), dir.resolve("two.onnx"));
    Path notOnnx = dir.resolve("text.onnx");
    Files.writeString(notOnnx, "not a model");

    assertThatThrownBy(() -> registry.addOnnx("price", twoInputs, "production", Fits.CLOCK))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("two.onnx cannot be served")
        .hasMessageContaining("needs exactly one input and one output");
    assertThatThrownBy(() -> registry.addOnnx("price", notOnnx, null, Fits.CLOCK))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("text.onnx cannot be loaded by ONNX Runtime");
    assertThatThrownBy(() -> registry.addOnnx("price", dir.resolve("none.onnx"), null, Fits.CLOCK))
        .hasMessageContaining("none.onnx");

    assertThat(registry.names()).isEmpty();
    assertThat(registry.versions("price")).isEmpty();
    assertThat(registry.aliases("price")).isEmpty();
  }

  @Test
  void linearAndOnnxVersionsOfOneNameLoadAsWhatEachHolds() throws Exception {
    ModelRegistry registry = registry();
    registry.register("price", Fits.line(dir, 3, 2, -0.5), null);
    registry.addOnnx("price", OnnxFiles.line(dir, "v2.onnx", 10, -1, 4), null, Fits.CLOCK);
    registry.register("price", Fits.line(dir, 7, 7, 7), null);
    registry.addOnnx("price", OnnxFiles.line(dir, "v4.onnx", 1, 1, 1), "production", Fits.CLOCK);

    assertThat(registry.versions("price")).containsExactly(1, 2, 3, 4);
    assertThat(List.of(1, 2, 3, 4).stream().map(v -> kind(registry, v)))
        .containsExactly(
            ModelFormat.LINEAR, ModelFormat.ONNX, ModelFormat.LINEAR, ModelFormat.ONNX);
    double[] row = {1, 2};
    double[] expected = {3 + 2 - 1, 10 - 1 + 8, 7 + 7 + 14, 1 + 1 + 2};
    for (int v = 1; v <= 4; v++) {
      try (ServableModel model = registry.load("price", v)) {
        assertThat(model.id()).isEqualTo("price:" + v);
        assertThat(model).isInstanceOf(v % 2 == 1 ? LinearModel.class : OnnxModel.class);
        assertThat(model.predict(row)).isCloseTo(expected[v - 1], within(1e-5));
        assertThat(registry.run("price", v).isImported()).isEqualTo(v % 2 == 0);
      }
    }
  }

  @Test
  void recordsOfEarlierBuildsStillRead() throws Exception {
    ModelRegistry registry = registry();
    registry.register("price", Fits.line(dir, 3, 2, -0.5), null);
    RunRecord now = registry.run("price", 1);
    // A trained record as builds before imports wrote it: formatVersion 1, no kind, no model
    // format (always our JSON artifact), no algorithm (always OLS).
    String v1 =
        now.toJson()
            .replace("\"formatVersion\" : 3", "\"formatVersion\" : 1")
            .replaceFirst("\\s*\"kind\" : \"trained\",", "")
            .replaceFirst("\\s*\"modelFormat\" : \"linear\",", "")
            .replaceFirst("\\s*\"algorithm\" : \"ols\",", "");
    assertThat(v1).doesNotContain("kind").doesNotContain("modelFormat").doesNotContain("algorithm");
    RunRecord read = RunRecord.fromJson("old run.json", v1);
    assertThat(read).isEqualTo(now);
    assertThat(read.format()).isEqualTo(ModelFormat.LINEAR);
    assertThat(read.trained().orElseThrow().algorithm()).isEqualTo("ols");

    // An import record of the first ONNX build: formatVersion 2.
    RunRecord imported = registryWithImport().run("price", 1);
    String v2 = imported.toJson().replace("\"formatVersion\" : 3", "\"formatVersion\" : 2");
    assertThat(RunRecord.fromJson("v2 run.json", v2)).isEqualTo(imported);
    // This build's records round-trip, and a record claiming to be both is refused.
    assertThat(RunRecord.fromJson("x", imported.toJson())).isEqualTo(imported);
    assertThatThrownBy(
            () ->
                RunRecord.fromJson(
                    "mixed run.json", imported.toJson().replace("\"imported\"", "\"trained\"")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("mixed run.json");
  }

  private ModelRegistry registryWithImport() throws Exception {
    ModelRegistry other = new ModelRegistry(dir.resolve("other"));
    other.addOnnx("price", OnnxFiles.line(dir, "x.onnx", 1, 2, 3), null, Fits.CLOCK);
    return other;
  }

  private static ModelFormat kind(ModelRegistry registry, int version) {
    try {
      return registry.format("price", version);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
