package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.Training;
import io.mlqueue.model.TrainingRun;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.training.Algorithm;
import io.mlqueue.model.tribuo.TribuoModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each algorithm of {@code train --algo} as a registry version: its model in its format's file, its
 * run record with the algorithm, its parameters and its cross-validation, and the version loading
 * as the worker will with the predictions the fit made.
 */
class AlgorithmVersionsTest {
  @TempDir Path dir;

  @Test
  void everyAlgorithmIsAVersionWithItsRunAndCrossValidation() throws Exception {
    Path data = dir.resolve("diabetes.csv");
    try (var in = Dataset.class.getResourceAsStream("diabetes.csv")) {
      Files.copy(in, data);
    }
    Dataset rows = Dataset.load(data, "target");
    ModelRegistry registry = new ModelRegistry(dir.resolve("registry"));
    List<Algorithm> algorithms =
        List.of(
            new Algorithm.Ols(),
            new Algorithm.Ridge(0.5),
            new Algorithm.Tree(3),
            new Algorithm.Forest(8, 4, 2),
            new Algorithm.Gbt(20, 2, 0.3, 2));
    for (int i = 0; i < algorithms.size(); i++) {
      Algorithm algorithm = algorithms.get(i);
      Training.Fit fit = Training.fit(data, "target", "ignored", algorithm, Fits.CLOCK);
      ModelRegistry.Registered r = registry.register("diabetes", fit, null);
      int version = i + 1;
      assertThat(r.version()).isEqualTo(version);

      RunRecord run = registry.run("diabetes", version);
      TrainingRun trained = run.trained().orElseThrow();
      assertThat(run.format()).isEqualTo(algorithm.format());
      assertThat(trained.algorithm()).isEqualTo(algorithm.label());
      assertThat(trained.parameters()).containsAllEntriesOf(algorithm.parameters());
      assertThat(trained.parameters()).containsEntry("cross_validation_folds", "5");
      assertThat(trained.crossValidation().folds()).hasSize(5);
      assertThat(trained.crossValidation().mean().r2()).as(algorithm.label()).isBetween(0.2, 0.6);
      assertThat(dir.resolve("registry/diabetes/" + version + "/" + algorithm.format().fileName()))
          .isRegularFile();

      try (ServableModel loaded = registry.load("diabetes", version)) {
        assertThat(loaded.id()).isEqualTo("diabetes:" + version);
        assertThat(loaded)
            .isInstanceOf(
                algorithm.format() == ModelFormat.LINEAR ? LinearModel.class : TribuoModel.class);
        double[] expected = new double[rows.size()];
        double[] got = new double[rows.size()];
        fit.model().predictBatch(rows.rows(), expected);
        loaded.predictBatch(rows.rows(), got);
        assertThat(got).containsExactly(expected);
      }
    }
  }
}
