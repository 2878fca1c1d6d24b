package io.mlqueue.model.tribuo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.ModelFormatException;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.training.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees, forests and boosted trees as the worker serves them: saved, loaded, predicted at once. */
class TribuoModelTest {
  private static final Dataset DATA = Dataset.builtIn();
  @TempDir Path dir;

  private static TribuoModel fit(Algorithm algorithm) {
    return (TribuoModel) algorithm.fit(DATA, "m", "7", "diabetes", null, Clock.systemUTC());
  }

  @Test
  void aSavedForestLoadsAndPredictsTheSameUnderItsOwnOrAGivenName() throws Exception {
    TribuoModel forest = fit(new Algorithm.Forest(10, 4, 3));
    Path file = dir.resolve("forest.tribuo");
    forest.save(file);

    try (ServableModel own = ModelFormat.ofPath(file).load(file);
        ServableModel served = ModelFormat.TRIBUO.load(file, "price", "3")) {
      assertThat(own.id()).isEqualTo("m:7");
      assertThat(served.id()).isEqualTo("price:3");
      assertThat(served.featureNames()).isEqualTo(DATA.featureNames());
      assertThat(served.targetName()).isEqualTo("target");
      double[] before = new double[DATA.size()];
      double[] after = new double[DATA.size()];
      forest.predictBatch(DATA.rows(), before);
      served.predictBatch(DATA.rows(), after);
      assertThat(after).containsExactly(before);
      assertThat(served.predict(DATA.features(5))).isEqualTo(before[5]);
    }
  }

  @Test
  void theSameSeedGrowsTheSameForest() {
    double[] a = new double[DATA.size()];
    double[] b = new double[DATA.size()];
    fit(new Algorithm.Forest(5, 4, 11)).predictBatch(DATA.rows(), a);
    fit(new Algorithm.Forest(5, 4, 11)).predictBatch(DATA.rows(), b);
    assertThat(a).containsExactly(b);
  }

  /** Stream and request batches predict at once: boosted trees must give each its own answer. */
  @Test
  void boostedTreesPredictTheSameFromManyThreads() throws Exception {
    TribuoModel gbt = fit(new Algorithm.Gbt(20, 3, 0.3, 1));
    double[] expected = new double[DATA.size()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = gbt.predict(DATA.features(i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        runs.add(
            pool.submit(
                () -> {
                  double[] got = new double[DATA.size()];
                  for (int round = 0; round < 5; round++) {
                    for (int i = 0; i < got.length; i++) {
                      got[i] = gbt.predict(DATA.features(i));
                    }
                  }
                  return got;
                }));
      }
      for (Future<double[]> run : runs) {
        assertThat(run.get()).containsExactly(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFileThatIsNotATribuoModelIsRefusedInWords() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.tribuo"), "not a model");
    assertThatThrownBy(() -> ModelFormat.TRIBUO.load(junk))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("junk.tribuo cannot be read")
        .hasMessageContaining("'mlqueue train --algo tree|forest|gbt'")
        .hasCauseInstanceOf(Exception.class);
    TribuoModel tree = fit(new Algorithm.Tree(2));
    assertThatThrownBy(() -> tree.checkFeatures(new double[] {1, 2}))
        .hasMessageStartingWith("expected 10 features (age, sex");
  }
}
