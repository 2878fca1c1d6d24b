package io.mlqueue.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --algo} and its options: defaults, both spellings, and refusals that name the option. */
class AlgorithmsTest {

  @Test
  void eachAlgorithmTakesItsOptionsAndDefaultsTheRest() {
    assertThat(Algorithms.parse(null, Map.of())).isEqualTo(new Algorithm.Ols());
    assertThat(Algorithms.parse("ridge", Map.of("penalty", "0.5")))
        .isEqualTo(new Algorithm.Ridge(0.5));
    assertThat(Algorithms.parse("tree", Map.of())).isEqualTo(new Algorithm.Tree(4));
    // A params file writes max_depth, the command line --max-depth: both are read.
    assertThat(Algorithms.parse("forest", Map.of("max-depth", "3", "trees", "7")))
        .isEqualTo(new Algorithm.Forest(7, 3, 1));
    assertThat(Algorithms.parse("GBT", Map.of("learning_rate", "0.3", "seed", "9")))
        .isEqualTo(new Algorithm.Gbt(100, 3, 0.3, 9));
  }

  @Test
  void parametersAreWhatTheRunRecordKeeps() {
    assertThat(new Algorithm.Ridge(2).parameters())
        .containsExactlyInAnyOrderEntriesOf(Map.of("penalty", "2", "fit_intercept", "true"));
    assertThat(new Algorithm.Forest(7, 3, 1).parameters())
        .containsEntry("trees", "7")
        .containsEntry("max_depth", "3")
        .containsEntry("seed", "1")
        .containsEntry("min_child_weight", "5");
    assertThat(new Algorithm.Gbt(10, 2, 0.25, 4).parameters())
        .containsEntry("learning_rate", "0.25");
  }

  @Test
  void wrongOptionsAreRefusedByName() {
    assertThatThrownBy(() -> Algorithms.parse("lasso", Map.of()))
        .hasMessage("--algo 'lasso' is not one of ols, ridge, tree, forest, gbt");
    assertThatThrownBy(() -> Algorithms.parse("ridge", Map.of("trees", "5")))
        .hasMessage("option(s) [--trees] do not apply to --algo ridge (it takes [--penalty])");
    assertThatThrownBy(() -> Algorithms.parse("ols", Map.of("penalty", "1")))
        .hasMessage("option(s) [--penalty] do not apply to --algo ols (it takes none)");
    assertThatThrownBy(() -> Algorithms.parse("forest", Map.of("trees", "ten")))
        .hasMessage("--trees must be a whole number, was 'ten'");
    assertThatThrownBy(() -> Algorithms.parse("ridge", Map.of("penalty", "-1")))
        .hasMessage("--penalty must be a positive number, was -1.0 (for none, use --algo ols)");
    assertThatThrownBy(() -> Algorithms.parse("tree", Map.of("max_depth", "0")))
        .hasMessage("--max-depth must be from 1 to 32, was 0");
    assertThatThrownBy(() -> Algorithms.parse("gbt", Map.of("learning_rate", "2")))
        .hasMessage("--learning-rate must be above 0 and at most 1, was 2.0");
    assertThatThrownBy(() -> Algorithms.parse("forest", Map.of("trees", "0")))
        .hasMessage("--trees must be from 1 to 10000, was 0");
  }
}
