package io.mlqueue.model.tribuo;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.training.Algorithm;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.regression.Regressor;

/** The flat trees give Tribuo's own answers, or are not used. */
class CompiledTreesTest {
  private static final Dataset DATA = Dataset.builtIn();

  private static TribuoModel fit(Algorithm algorithm) {
    return (TribuoModel) algorithm.fit(DATA, "m", "1", "diabetes", null, Clock.systemUTC());
  }

  /** Tribuo's prediction of {@code row}, by the model's own code path. */
  private static double tribuo(TribuoModel m, double[] row) {
    String[] names = m.featureNames().toArray(String[]::new);
    return m.tribuoModel()
        .predict(
            new org.tribuo.impl.ArrayExample<>(
                new org.tribuo.regression.RegressionFactory().getUnknownOutput(),
                names,
                row.clone()))
        .getOutput()
        .getValues()[0];
  }

  @Test
  void aForestAndATreeAreServedFromTheArraysWithTribuosAnswersToTheLastBit() {
    for (Algorithm algorithm :
        new Algorithm[] {
          new Algorithm.Forest(30, 5, 20261204L),
          new Algorithm.Forest(7, 8, 3),
          new Algorithm.Tree(6)
        }) {
      TribuoModel m = fit(algorithm);
      assertThat(m.compiled()).as(algorithm.toString()).isTrue();
      double[] batch = new double[DATA.size()];
      m.predictBatch(DATA.rows(), batch);
      for (int i = 0; i < DATA.size(); i++) {
        double expected = tribuo(m, DATA.features(i));
        assertThat(m.predict(DATA.features(i))).as("%s row %d", algorithm, i).isEqualTo(expected);
        assertThat(batch[i]).isEqualTo(expected);
      }
    }
  }

  @Test
  void rowsOnAndBesideEverySplitPointAgreeWithTribuo() {
    TribuoModel m = fit(new Algorithm.Forest(10, 6, 5));
    CompiledTrees trees =
        CompiledTrees.of(
                m.tribuoModel(), m.featureNames().toArray(String[]::new), r -> tribuo(m, r))
            .orElseThrow();
    assertThat(trees.trees()).isEqualTo(10);
    for (double[] row : trees.probes(DATA.featureNames().size(), 2_000)) {
      assertThat(trees.predict(row)).isEqualTo(tribuo(m, row));
    }
  }

  @Test
  void aModelWhoseAnswersDifferFromTheArraysIsLeftToTribuo() {
    TribuoModel m = fit(new Algorithm.Forest(5, 4, 9));
    Optional<CompiledTrees> wrong =
        CompiledTrees.of(
            m.tribuoModel(), m.featureNames().toArray(String[]::new), r -> tribuo(m, r) + 1e-6);
    assertThat(wrong).isEmpty();
  }

  @Test
  void boostedTreesAreNotTreesOfThisKind() {
    TribuoModel gbt = fit(new Algorithm.Gbt(5, 3, 0.3, 1));
    assertThat(gbt.compiled()).isFalse();
    Model<Regressor> model = gbt.tribuoModel();
    assertThat(CompiledTrees.of(model, gbt.featureNames().toArray(String[]::new), r -> 0))
        .isEmpty();
  }
}
