package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossValidationTest {

  @Test
  void reproducesScikitLearnsFoldsGivenTheSameSplit() {
    JsonNode cv = Reference.CV_5FOLD;
    List<int[]> folds = new ArrayList<>();
    for (JsonNode fold : cv.get("folds")) {
      int[] rows = new int[fold.get("test_indices").size()];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = fold.get("test_indices").get(i).intValue();
      }
      folds.add(rows);
    }

    CrossValidation.Result result =
        CrossValidation.evaluate(Dataset.builtIn(), folds, cv.get("splitter").asText());

    assertThat(result.folds()).hasSize(5);
    for (int f = 0; f < 5; f++) {
      JsonNode expected = cv.get("folds").get(f);
      FitMetrics got = result.folds().get(f).metrics();
      assertThat(got.r2()).isCloseTo(expected.get("r2").doubleValue(), within(1e-9));
      assertThat(got.mae()).isCloseTo(expected.get("mae").doubleValue(), within(1e-9));
      assertThat(result.folds().get(f).testRows()).isEqualTo(folds.get(f).length);
    }
    assertThat(result.mean().r2()).isCloseTo(cv.get("mean_r2").doubleValue(), within(1e-9));
    assertThat(result.mean().mae()).isCloseTo(cv.get("mean_mae").doubleValue(), within(1e-9));
  }

  @Test
  void contiguousFoldsSplitLikeKFoldWithoutShuffling() {
    List<int[]> folds = CrossValidation.contiguousFolds(12, 5);
    assertThat(folds).extracting(f -> f.length).containsExactly(3, 3, 2, 2, 2);
    assertThat(folds.get(0)).containsExactly(0, 1, 2);
    assertThat(folds.get(4)).containsExactly(10, 11);
  }

  @Test
  void kFoldIsDeterministicAndWorseThanInSampleOnRealData() {
    Dataset data = Dataset.builtIn();
    CrossValidation.Result a = CrossValidation.kFold(data, 5);
    CrossValidation.Result b = CrossValidation.kFold(data, 5);
    assertThat(a).isEqualTo(b);
    assertThat(a.splitter()).isEqualTo("KFold(n_splits=5, shuffle=False)");
    FitMetrics inSample = BuiltInModel.get().provenance().orElseThrow().inSample();
    assertThat(a.mean().mae()).isGreaterThan(inSample.mae());
    assertThat(a.mean().r2()).isLessThan(inSample.r2());
  }

  @Test
  void tooFewRowsAreRefusedInPlainWords() {
    Dataset tiny =
        new Dataset(
            "tiny", List.of("a"), "y", new double[][] {{1}, {2}, {3}}, new double[] {1, 2, 4});
    assertThatThrownBy(() -> CrossValidation.kFold(tiny, 5))
        .hasMessage("3 rows are too few for 5 folds of at least 2 rows");
  }
}
