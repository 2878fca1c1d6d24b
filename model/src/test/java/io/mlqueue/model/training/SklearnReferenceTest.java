package io.mlqueue.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Ridge and the regression tree against scikit-learn's fits of the same data, computed
 * independently (training/make_sklearn_fixtures.py, Debian's python3-sklearn 1.2).
 */
class SklearnReferenceTest {
  private static final Clock CLOCK = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
  private static final Dataset DATA = Dataset.builtIn();

  private static JsonNode fixtures() throws Exception {
    try (InputStream in =
        SklearnReferenceTest.class.getResourceAsStream("/training/sklearn_fixtures.json")) {
      return StrictJson.MAPPER.readTree(in);
    }
  }

  @Test
  void ridgeIsScikitLearnsRidgeForEachPenalty() throws Exception {
    JsonNode f = fixtures();
    assertThat(f.get("features").toString().replaceAll("[\\[\\]\"]", "").split(","))
        .containsExactlyElementsOf(DATA.featureNames());
    for (JsonNode fit : f.get("ridge")) {
      double alpha = fit.get("alpha").doubleValue();
      LinearModel model =
          (LinearModel) new Algorithm.Ridge(alpha).fit(DATA, "r", "1", "diabetes", null, CLOCK);
      assertThat(model.intercept())
          .as("alpha %s", alpha)
          .isCloseTo(fit.get("intercept").doubleValue(), within(1e-9));
      for (int j = 0; j < DATA.featureCount(); j++) {
        assertThat(model.coefficients()[j])
            .as("alpha %s, %s", alpha, DATA.featureNames().get(j))
            .isCloseTo(fit.get("coef").get(j).doubleValue(), within(1e-8));
      }
    }
  }

  /**
   * Tribuo's CART and scikit-learn's {@code DecisionTreeRegressor(max_depth=d,
   * min_samples_split=5)} grow the same tree: the same predictions on every training row, depths 1
   * to 4. (Tribuo's minimum child weight of 5 is scikit-learn's minimum split, not its minimum
   * leaf.)
   */
  @Test
  void aTreeSplitsAsScikitLearnsTreeDoesOnItsTrainingRows() throws Exception {
    for (JsonNode fit : fixtures().get("tree")) {
      int depth = fit.get("max_depth").intValue();
      try (ServableModel tree =
          new Algorithm.Tree(depth).fit(DATA, "t", "1", "diabetes", null, CLOCK)) {
        double[] got = new double[DATA.size()];
        tree.predictBatch(DATA.rows(), got);
        for (int i = 0; i < got.length; i++) {
          assertThat(got[i])
              .as("depth %d, row %d", depth, i)
              .isCloseTo(fit.get("predictions").get(i).doubleValue(), within(1e-9));
        }
      }
    }
  }
}
