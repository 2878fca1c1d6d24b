package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.contract.ModelLog;
import io.mlqueue.stats.compare.TTest;
import io.mlqueue.stats.cost.CostModel;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelWindowsTest {

  /** A clock the test moves. */
  private static final class TestClock implements InstantSource {
    Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  // 10 s windows; window 100 is [1000 s, 1010 s).
  private final TestClock clock = new TestClock(Instant.ofEpochSecond(1005));
  private final List<String> announced = new ArrayList<>();

  private ModelWindows windows(Optional<CostModel> cost) {
    return new ModelWindows(
        Duration.ofSeconds(10),
        6,
        cost,
        clock,
        new ModelWindows.Listener() {
          @Override
          public void newModel(ModelWindows windows, String model) {
            announced.add(model);
          }

          @Override
          public void newPair(ModelWindows windows, String from, String to) {
            announced.add(from + " -> " + to);
          }
        });
  }

  private static ModelLog.Row row(
      String id, String model, double yTrue, double yPred, long second) {
    return ModelLog.Row.of(id, model, yTrue, yPred, Instant.ofEpochSecond(second));
  }

  private static ModelWindows.Series series(ModelWindows.Timeline t, String model) {
    return t.models().stream().filter(s -> s.model().equals(model)).findFirst().orElseThrow();
  }

  @Test
  void knownRowsGiveKnownFiguresPerModelPerWindow() {
    ModelWindows w = windows(Optional.empty());
    // diabetes:2 in window 100: errors +2, -3, 0; truth mean 20, Σ(y - ȳ)² = 200.
    w.add(row("a", "diabetes:2", 10, 12, 1001));
    w.add(row("b", "diabetes:2", 20, 17, 1002));
    w.add(row("c", "diabetes:2", 30, 30, 1003));
    // diabetes:10 in window 99: errors 0, +4; Σ(y - ȳ)² = 50.
    w.add(row("d", "diabetes:10", 10, 10, 991));
    w.add(row("e", "diabetes:10", 20, 24, 999));

    ModelWindows.Timeline t = w.timeline();

    assertThat(t.start()).isEqualTo(Instant.ofEpochSecond(950));
    assertThat(t.models())
        .extracting(ModelWindows.Series::model)
        .containsExactly("diabetes:2", "diabetes:10"); // versions in number order
    WindowSums.Figures a = series(t, "diabetes:2").windows().get(5);
    assertThat(a.count()).isEqualTo(3);
    assertThat(a.mae()).isCloseTo(5.0 / 3, within(1e-12));
    assertThat(a.rmse()).isCloseTo(Math.sqrt(13.0 / 3), within(1e-12));
    assertThat(a.r2()).isCloseTo(1 - 13.0 / 200, within(1e-12));
    assertThat(series(t, "diabetes:2").windows().get(4)).isEqualTo(WindowSums.Figures.EMPTY);
    WindowSums.Figures b = series(t, "diabetes:10").windows().get(4);
    assertThat(b.count()).isEqualTo(2);
    assertThat(b.mae()).isEqualTo(2.0);
    assertThat(b.rmse()).isCloseTo(Math.sqrt(8), within(1e-12));
    assertThat(b.r2()).isCloseTo(1 - 16.0 / 50, within(1e-12));
    assertThat(series(t, "diabetes:10").windows().get(5).count()).isZero();
    assertThat(announced).containsExactly("diabetes:2", "diabetes:10");
  }

  @Test
  void theSpanMergesItsWindowsAsIfTheRowsWereOne() {
    ModelWindows w = windows(Optional.empty());
    w.add(row("a", "m:1", 10, 12, 961));
    w.add(row("b", "m:1", 20, 17, 985));
    w.add(row("c", "m:1", 30, 30, 1004));

    WindowSums.Figures span = series(w.timeline(), "m:1").span();

    assertThat(span.count()).isEqualTo(3);
    assertThat(span.mae()).isCloseTo(5.0 / 3, within(1e-12));
    assertThat(span.r2()).isCloseTo(1 - 13.0 / 200, within(1e-12));
  }

  @Test
  void oldWindowsAreEvictedAsTheClockMovesButTheTotalsStay() {
    ModelWindows w = windows(Optional.empty());
    w.add(row("a", "m:1", 10, 12, 961)); // window 96
    w.add(row("b", "m:1", 20, 17, 1004)); // window 100

    clock.now = Instant.ofEpochSecond(1025); // window 102: 97 to 102 kept, 96 is out
    ModelWindows.Timeline t = w.timeline();
    assertThat(series(t, "m:1").span().count()).isEqualTo(1);
    assertThat(series(t, "m:1").windows().get(3).mae()).isEqualTo(3.0);

    clock.now = Instant.ofEpochSecond(1065); // window 106: 100 is out too
    assertThat(w.timeline().models()).isEmpty();
    assertThat(w.rows("m:1")).isEqualTo(2);

    // A slot coming round again starts empty rather than adding to what it held.
    w.add(row("c", "m:1", 10, 11, 1061)); // window 106, the slot of window 100
    assertThat(series(w.timeline(), "m:1").windows().get(5).count()).isEqualTo(1);
    w.add(row("d", "m:1", 10, 11, 900)); // older than every window kept
    assertThat(w.tooOld()).isEqualTo(1);
    assertThat(w.rows("m:1")).isEqualTo(4);
    assertThat(series(w.timeline(), "m:1").span().count()).isEqualTo(1);
  }

  @Test
  void aRowStampedAheadOfTheClockGoesIntoTheCurrentWindow() {
    ModelWindows w = windows(Optional.empty());
    w.add(row("a", "m:1", 10, 12, 1100));
    assertThat(series(w.timeline(), "m:1").windows().get(5).count()).isEqualTo(1);
  }

  @Test
  void costComesFromTheCostFileWithUnderAndOverPricesAndBands() {
    CostModel prices =
        CostModel.fromTree(
            java.util.Map.of(
                "unit",
                "EUR",
                "under_prediction",
                2.0,
                "over_prediction",
                1.0,
                "bands",
                List.of(
                    java.util.Map.of(
                        "name",
                        "high missed",
                        "true_above",
                        200,
                        "predicted_below",
                        150,
                        "cost",
                        500))),
            "cost.yaml");
    ModelWindows w = windows(Optional.of(prices));
    w.add(row("a", "m:1", 100, 104, 1001)); // over by 4: 4
    w.add(row("b", "m:1", 100, 97, 1001)); // under by 3: 6
    w.add(row("c", "m:1", 250, 140, 1001)); // under by 110: 220, plus the band: 500
    w.add(row("d", "m:1", 250, 160, 1001)); // under by 90: 180, predicted above the band

    WindowSums.Figures f = series(w.timeline(), "m:1").windows().get(5);

    assertThat(f.cost()).isEqualTo(4 + 6 + 720 + 180);
    assertThat(f.costPerThousand()).isEqualTo(1_000 * 910.0 / 4);
    assertThat(w.cost("m:1")).isEqualTo(910);
  }

  @Test
  void twoModelsOnSharedIdsGiveTheSavingOfSwitchingWithThePairedTInterval() {
    CostModel prices = new CostModel("EUR", 2, 1, List.of());
    ModelWindows w = windows(Optional.of(prices));
    double[] truth = {100, 120, 80, 150, 90, 110};
    double[] champion = {110, 100, 95, 130, 70, 125}; // m:2, the first by version
    double[] challenger = {104, 118, 83, 146, 95, 109}; // m:10
    double[] savings = new double[truth.length];
    double[] absolute = new double[truth.length];
    for (int i = 0; i < truth.length; i++) {
      long second = i < 3 ? 985 : 1003; // two windows
      w.add(row("id" + i, "m:10", truth[i], challenger[i], second));
      w.add(row("id" + i, "m:2", truth[i], champion[i], second));
      savings[i] = prices.cost(truth[i], champion[i]) - prices.cost(truth[i], challenger[i]);
      absolute[i] = Math.abs(truth[i] - champion[i]) - Math.abs(truth[i] - challenger[i]);
    }
    w.add(row("solo", "m:2", 100, 100, 1003)); // answered by one model only: no pair
    w.add(row("id0", "m:2", 100, 110, 1004)); // the same model again: no pair either

    ModelWindows.Timeline t = w.timeline();

    assertThat(t.comparisons()).hasSize(1);
    ModelWindows.Comparison c = t.comparisons().get(0);
    assertThat(c.from()).isEqualTo("m:2");
    assertThat(c.to()).isEqualTo("m:10");
    assertThat(c.pairs()).isEqualTo(6);
    TTest expected = TTest.paired(savings, 0.95);
    TTest cost = c.cost().orElseThrow();
    assertThat(cost.meanDifference()).isCloseTo(expected.meanDifference(), within(1e-9));
    assertThat(cost.lower()).isCloseTo(expected.lower(), within(1e-9));
    assertThat(cost.upper()).isCloseTo(expected.upper(), within(1e-9));
    assertThat(c.absoluteError().orElseThrow().meanDifference())
        .isCloseTo(TTest.paired(absolute, 0.95).meanDifference(), within(1e-9));
    // The totals behind plot's counters: the saving is their difference over the pairs.
    assertThat(announced).containsExactly("m:10", "m:2", "m:2 -> m:10");
    assertThat(w.pairs("m:2", "m:10")).isEqualTo(6);
    double championCost = 0;
    double challengerCost = 0;
    for (int i = 0; i < truth.length; i++) {
      championCost += prices.cost(truth[i], champion[i]);
      challengerCost += prices.cost(truth[i], challenger[i]);
    }
    assertThat(w.pairedCost("m:2", "m:10")).isCloseTo(championCost, within(1e-9));
    assertThat(w.pairedCost("m:10", "m:2")).isCloseTo(challengerCost, within(1e-9));
    assertThat(w.pairedCost("m:2", "m:10") - w.pairedCost("m:10", "m:2"))
        .isCloseTo(expected.meanDifference() * 6, within(1e-9));
  }

  @Test
  void withoutACostFileThereIsNoSavingButStillTheErrorDifference() {
    ModelWindows w = windows(Optional.empty());
    for (int i = 0; i < 3; i++) {
      w.add(row("id" + i, "a:1", 10, 10 + i, 1001));
      w.add(row("id" + i, "a:2", 10, 10 + 2 * i, 1001));
    }
    ModelWindows.Comparison c = w.timeline().comparisons().get(0);
    assertThat(c.cost()).isEmpty();
    assertThat(c.absoluteError().orElseThrow().meanDifference()).isCloseTo(-1, within(1e-12));
  }

  @Test
  void clearingForgetsTheWindowsAndWaitingIdsButNotTheTotals() {
    ModelWindows w = windows(Optional.empty());
    w.add(row("a", "m:1", 10, 12, 1001));
    w.clearWindows();
    w.add(row("a", "m:2", 10, 11, 1001)); // its partner was forgotten
    ModelWindows.Timeline t = w.timeline();
    assertThat(t.models()).extracting(ModelWindows.Series::model).containsExactly("m:2");
    assertThat(t.comparisons()).isEmpty();
    assertThat(w.rows("m:1")).isEqualTo(1);
    assertThat(w.pairs("m:1", "m:2")).isZero();
  }

  @Test
  void throughputDividesByTheElapsedPartOfTheCurrentWindow() {
    ModelWindows.Timeline t = windows(Optional.empty()).timeline();
    assertThat(t.seconds(4)).isEqualTo(10.0);
    assertThat(t.seconds(5)).isCloseTo(5.001, within(1e-9)); // 1005 s into [1000, 1010)
  }
}
