package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelArtifact;
import io.mlqueue.model.Training;
import io.mlqueue.model.format.ModelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir Path dir;

  private ModelRegistry registry() {
    return new ModelRegistry(dir.resolve("registry"));
  }

  @Test
  void versionsAreNumberedFromOnePerNameAndStoredWithTheirRun() throws Exception {
    ModelRegistry registry = registry();
    Training.Fit first = Fits.line(dir, 3, 2, -0.5);
    Training.Fit second = Fits.line(dir, 4, 1, 0.25);

    ModelRegistry.Registered r1 = registry.register("price", first, null);
    ModelRegistry.Registered r2 = registry.register("price", second, null);
    ModelRegistry.Registered other = registry.register("churn", first, null);

    assertThat(r1.version()).isEqualTo(1);
    assertThat(r2.version()).isEqualTo(2);
    assertThat(other.version()).isEqualTo(1);
    assertThat(registry.names()).containsExactly("churn", "price");
    assertThat(registry.versions("price")).containsExactly(1, 2);
    assertThat(registry.latest("price")).hasValue(2);
    assertThat(registry.latest("nothing")).isEmpty();

    assertThat(registry.format("price", 2)).isEqualTo(ModelFormat.LINEAR);
    LinearModel loaded = (LinearModel) registry.load("price", 2);
    assertThat(loaded.id()).isEqualTo("price:2");
    assertThat(loaded).isEqualTo(r2.model());
    assertThat(loaded.intercept()).isCloseTo(4, within(1e-9));
    assertThat(loaded.coefficients()).isEqualTo(((LinearModel) second.model()).coefficients());
    // The artifact is the ordinary format: `model --model FILE` reads it too.
    assertThat(ModelArtifact.read(dir.resolve("registry/price/2/model.json"))).isEqualTo(loaded);

    RunRecord run = registry.run("price", 2);
    assertThat(run.name()).isEqualTo("price");
    assertThat(run.version()).isEqualTo(2);
    assertThat(run.trained()).contains(second.run());
  }

  @Test
  void aVersionIsNeverOverwrittenAndNoTemporaryFileIsLeft() throws Exception {
    ModelRegistry registry = registry();
    Training.Fit fit = Fits.line(dir, 3, 2, -0.5);
    registry.register("price", fit, "production");
    Path v1 = dir.resolve("registry/price/1/model.json");
    byte[] before = Files.readAllBytes(v1);

    registry.register("price", Fits.line(dir, 9, 9, 9), "production");

    assertThat(Files.readAllBytes(v1)).isEqualTo(before);
    try (Stream<Path> all = Files.walk(dir.resolve("registry"))) {
      assertThat(all.map(p -> dir.resolve("registry").relativize(p).toString()))
          .containsExactlyInAnyOrder(
              "",
              "price",
              "price/.lock",
              "price/aliases.json",
              "price/1",
              "price/1/model.json",
              "price/1/run.json",
              "price/2",
              "price/2/model.json",
              "price/2/run.json");
    }
  }

  @Test
  void whatAKilledRegistrationLeftBehindIsRemovedByTheNextOne() throws Exception {
    ModelRegistry registry = registry();
    registry.register("price", Fits.line(dir, 3, 2, -0.5), null);
    Path leftover = dir.resolve("registry/price/.staging-killed-midway");
    Files.createDirectories(leftover);
    Files.writeString(leftover.resolve("model.json"), "{\"format\": \"mlqu");

    assertThat(registry.versions("price")).containsExactly(1); // readers ignore it

    registry.register("price", Fits.line(dir, 9, 9, 9), null);

    assertThat(leftover).doesNotExist();
    assertThat(registry.versions("price")).containsExactly(1, 2);
  }

  @Test
  void aliasesAreSetMovedAndRemoved() throws Exception {
    ModelRegistry registry = registry();
    Training.Fit fit = Fits.line(dir, 3, 2, -0.5);
    ModelRegistry.Registered r1 = registry.register("price", fit, "production");
    assertThat(r1.previousAlias()).isEmpty();
    registry.register("price", fit, null);
    registry.register("price", fit, "staging");

    assertThat(registry.aliases("price"))
        .containsExactly(Map.entry("production", 1), Map.entry("staging", 3));
    assertThat(registry.setAlias("price", "production", 2)).hasValue(1);
    assertThat(registry.alias("price", "production")).hasValue(2);
    assertThat(registry.setAlias("price", "canary_1", 3)).isEmpty();
    assertThat(registry.removeAlias("price", "staging")).isEqualTo(3);
    assertThat(registry.aliases("price"))
        .containsExactly(Map.entry("canary_1", 3), Map.entry("production", 2));
    assertThat(Files.readString(dir.resolve("registry/price/aliases.json")))
        .isEqualToIgnoringWhitespace("{\"canary_1\": 3, \"production\": 2}");

    assertThatThrownBy(() -> registry.removeAlias("price", "staging"))
        .hasMessage("model 'price' has no alias 'staging' (it has canary_1, production)");
    assertThatThrownBy(() -> registry.setAlias("price", "production", 7))
        .hasMessage("model 'price' has no version 7 (it has [1, 2, 3])");
    assertThatThrownBy(() -> registry.setAlias("nope", "production", 1))
        .hasMessageStartingWith("model 'nope' is not in the registry");
    assertThatThrownBy(() -> registry.removeAlias("nope", "production"))
        .hasMessageStartingWith("model 'nope' is not in the registry");
    assertThat(registry.names()).containsExactly("price"); // nothing made for 'nope'

    assertThat(registry.alias("price", "production")).hasValue(2);
  }

  @Test
  void badNamesAreRefusedSayingWhatIsAllowed() throws Exception {
    ModelRegistry registry = registry();
    Training.Fit fit = Fits.line(dir, 3, 2, -0.5);
    for (String bad : List.of("..", ".hidden", "a/b", "", "sp ace", "é")) {
      assertThatThrownBy(() -> registry.register(bad, fit, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("may use only letters, digits, '.', '_' and '-'");
    }
    for (String bad : List.of("prod.1", "a b", "x/y", "")) {
      assertThatThrownBy(() -> registry.register("ok", fit, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("may use only letters, digits, '-' and '_'");
    }
    assertThatThrownBy(() -> registry.register("ok", fit, "2"))
        .hasMessageContaining("is a number, which would read as a version");
    assertThat(registry.names()).isEmpty();
  }

  @Test
  void aCorruptedAliasFileIsReportedNamingItAndTheFix() throws Exception {
    ModelRegistry registry = registry();
    registry.register("price", Fits.line(dir, 3, 2, -0.5), "production");
    Path aliases = dir.resolve("registry/price/aliases.json");

    Files.writeString(aliases, "{\"production\": 1");
    assertThatThrownBy(() -> registry.aliases("price"))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("alias file " + aliases + " is not valid JSON")
        .hasMessageEndingWith("or delete it to drop every alias");

    Files.writeString(aliases, "{\"production\": \"one\"}");
    assertThatThrownBy(() -> registry.alias("price", "production"))
        .hasMessageContaining(
            "entry \"production\": \"one\" is not an alias with a version number");
    // Changes are refused too, rather than silently dropping the other aliases.
    assertThatThrownBy(() -> registry.setAlias("price", "staging", 1))
        .isInstanceOf(RegistryException.class);
  }

  @Test
  void concurrentRegistrationsGetDistinctNumbers() throws Exception {
    ModelRegistry registry = registry();
    Training.Fit fit = Fits.line(dir, 3, 2, -0.5);
    int threads = 6;
    int each = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        // A registry object per thread, as separate processes would have.
        ModelRegistry own = registry();
        Callable<List<Integer>> task =
            () -> {
              start.await();
              List<Integer> got = new ArrayList<>();
              for (int i = 0; i < each; i++) {
                got.add(own.register("price", fit, "latest").version());
              }
              return got;
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      List<Integer> all = new ArrayList<>();
      for (Future<List<Integer>> f : results) {
        all.addAll(f.get());
      }
      assertThat(all).hasSize(threads * each).doesNotHaveDuplicates();
      assertThat(registry.versions("price")).hasSize(threads * each).containsAll(all);
      assertThat(registry.latest("price")).hasValue(threads * each);
      assertThat(registry.alias("price", "latest")).isIn(OptionalInt.of(threads * each));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void referencesNameAnAliasOrAVersion() {
    assertThat(ModelReference.parse("registry:price@production"))
        .isEqualTo(new ModelReference("price", "production", 0));
    assertThat(ModelReference.parse("registry:price.v2:12"))
        .isEqualTo(new ModelReference("price.v2", null, 12));
    assertThat(ModelReference.parse("registry:price@production").toString())
        .isEqualTo("registry:price@production");
    assertThatThrownBy(() -> ModelReference.parse("registry:price"))
        .hasMessageContaining("names no alias or version");
    assertThatThrownBy(() -> ModelReference.parse("registry:price:0"))
        .hasMessageContaining("is not a number from 1");
    assertThatThrownBy(() -> ModelReference.parse("registry:price@a.b"))
        .hasMessageContaining("may use only letters, digits, '-' and '_'");
    assertThat(ModelReference.isReference("models/price.json")).isFalse();
  }
}
