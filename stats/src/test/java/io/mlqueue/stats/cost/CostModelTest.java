package io.mlqueue.stats.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {
  private final CostModel model =
      CostModel.fromTree(
          Map.of(
              "unit",
              "EUR",
              "under_prediction",
              2.0,
              "over_prediction",
              1,
              "bands",
              List.of(
                  Map.of(
                      "name",
                      "high-risk case missed",
                      "true_above",
                      200,
                      "predicted_below",
                      150,
                      "cost",
                      500))),
          "cost.yaml");

  @Test
  void pricesUnderAndOverPredictionPerUnit() {
    assertThat(model.cost(100, 90)).isEqualTo(20.0); // 10 too low at 2 a unit
    assertThat(model.cost(100, 110)).isEqualTo(10.0); // 10 too high at 1 a unit
    assertThat(model.cost(100, 100)).isEqualTo(0.0);
  }

  @Test
  void aMatchingBandAddsItsFixedCost() {
    assertThat(model.cost(210, 140)).isEqualTo(2 * 70 + 500);
    assertThat(model.cost(200, 140)).as("true_above is strict").isEqualTo(2 * 60);
    assertThat(model.cost(210, 150)).as("predicted_below is strict").isEqualTo(2 * 60);
  }

  @Test
  void refusesWhatItCannotPrice() {
    assertThatThrownBy(() -> CostModel.fromTree(Map.of("under_predicton", 1), "cost.yaml"))
        .hasMessageStartingWith("cost.yaml: unknown key 'under_predicton'");
    assertThatThrownBy(() -> CostModel.fromTree(Map.of("under_prediction", -1), "cost.yaml"))
        .hasMessageContaining("not negative");
    assertThatThrownBy(
            () -> CostModel.fromTree(Map.of("bands", List.of(Map.of("cost", 5))), "cost.yaml"))
        .hasMessageContaining("sets no bound");
    assertThatThrownBy(
            () ->
                CostModel.fromTree(Map.of("bands", List.of(Map.of("true_above", 5))), "cost.yaml"))
        .hasMessageContaining("bands[0].cost is missing");
    assertThatThrownBy(() -> CostModel.fromTree(Map.of("over_prediction", "cheap"), "cost.yaml"))
        .hasMessageContaining("over_prediction must be a number");
  }
}
