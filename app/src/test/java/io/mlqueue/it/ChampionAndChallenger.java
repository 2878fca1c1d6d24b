package io.mlqueue.it;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.Training;
import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A registry for the live promotion tests: {@code diabetes} versions 1 ({@code production}) and 2
 * ({@code staging}), one trained on all ten columns and one, the weak model, on three of them: the
 * other seven are shuffled across rows before training, which keeps the ten feature names (the
 * messages' arrays stay readable by both models) and takes away their information.
 */
final class ChampionAndChallenger {
  private ChampionAndChallenger() {}

  /**
   * The registry in {@code dir}/registry; production on the weak model when {@code weakChampion}.
   */
  static ModelRegistry registry(Path dir, boolean weakChampion) throws Exception {
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    Dataset data = Dataset.builtIn();
    Path full = write(dir.resolve("full.csv"), data, false);
    Path weak = write(dir.resolve("weak.csv"), data, true);
    Clock clock = Clock.systemUTC();
    registry.register(
        "diabetes",
        Training.fit(weakChampion ? weak : full, "target", "diabetes", clock),
        "production");
    registry.register(
        "diabetes",
        Training.fit(weakChampion ? full : weak, "target", "diabetes", clock),
        "staging");
    return registry;
  }

  /** The evidence files stored beside {@code version}. */
  static List<Path> evidence(ModelRegistry registry, int version) throws Exception {
    Path d =
        registry.root().resolve("diabetes").resolve(String.valueOf(version)).resolve("evidence");
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.toList();
    }
  }

  /** The data as CSV; with {@code weak}, every column but age, sex and s1 shuffled across rows. */
  private static Path write(Path file, Dataset data, boolean weak) throws Exception {
    double[][] x = new double[data.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = data.features(i).clone();
    }
    if (weak) {
      SplittableRandom random = new SplittableRandom(7);
      for (int c = 3; c < data.featureCount(); c++) {
        for (int i = x.length - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          double t = x[i][c];
          x[i][c] = x[j][c];
          x[j][c] = t;
        }
      }
    }
    StringBuilder csv =
        new StringBuilder(String.join(",", data.featureNames())).append(",target\n");
    for (int i = 0; i < x.length; i++) {
      for (double v : x[i]) {
        csv.append(v).append(',');
      }
      csv.append(data.target(i)).append('\n');
    }
    return Files.writeString(file, csv);
  }
}
