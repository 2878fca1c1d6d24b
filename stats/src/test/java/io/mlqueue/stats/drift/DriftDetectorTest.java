package io.mlqueue.stats.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Windows, episodes and their once-per-episode starts, on synthetic rows. */
class DriftDetectorTest {
  private static final List<String> NAMES = List.of("a", "b", "c");

  private static ReferenceProfile reference(SplittableRandom r, int n) {
    double[][] rows = new double[n][3];
    double[] pred = new double[n];
    for (int i = 0; i < n; i++) {
      rows[i] = new double[] {gauss(r), gauss(r), r.nextInt(2)};
      pred[i] = rows[i][0] + rows[i][1];
    }
    return ReferenceProfile.of(NAMES, rows, pred, null);
  }

  private static double gauss(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @Test
  void aShiftOfOneFeatureStartsOneEpisodeNamingItWithinPatiencePlusOneWindows() {
    SplittableRandom r = new SplittableRandom(1);
    ReferenceProfile ref = reference(r, 600);
    WindowSettings settings = new WindowSettings(300, 300, 0, 50, 3);
    DriftDetector d = new DriftDetector(ref, settings, 0);
    int shiftFrom = 3000;
    List<String> started = new ArrayList<>();
    long firstAlarmRow = -1;
    for (int i = 0; i < 9000; i++) {
      double[] row = {gauss(r), gauss(r), r.nextInt(2)};
      if (i >= shiftFrom) {
        row[1] += 0.5; // half a standard deviation
      }
      double[][] snap = d.add(row, row[0] + row[1], i);
      if (snap != null) {
        WindowCheck c = d.check(snap);
        if (!c.started().isEmpty() && firstAlarmRow < 0) {
          firstAlarmRow = i;
        }
        started.addAll(c.started());
        assertThat(c.rows()).isEqualTo(300);
      }
    }
    // b and the prediction (b moves it) drift, once each; a and c never.
    assertThat(started).containsExactlyInAnyOrder("b", ReferenceProfile.PREDICTION);
    assertThat(firstAlarmRow)
        .isBetween((long) shiftFrom, shiftFrom + (settings.patience() + 1L) * settings.size());
  }

  @Test
  void anEpisodeEndsAtTheFirstWindowBackInLineAndCanStartAgain() {
    SplittableRandom r = new SplittableRandom(2);
    ReferenceProfile ref = reference(r, 600);
    DriftDetector d = new DriftDetector(ref, new WindowSettings(200, 200, 0, 50, 2), 0);
    List<String> events = new ArrayList<>();
    for (int i = 0; i < 6000; i++) {
      boolean shifted = (i >= 1000 && i < 2600) || i >= 4000;
      double[] row = {gauss(r) + (shifted ? 2 : 0), gauss(r), r.nextInt(2)};
      double[][] snap = d.add(row, 0.0, i);
      if (snap != null) {
        WindowCheck c = d.check(snap);
        c.started().stream().filter("a"::equals).forEach(x -> events.add("start"));
        c.ended().stream().filter("a"::equals).forEach(x -> events.add("end"));
      }
    }
    assertThat(events).containsExactly("start", "end", "start");
  }

  @Test
  void aTimeLimitChecksASlowStreamOnceItHasTheMinimumRows() {
    SplittableRandom r = new SplittableRandom(3);
    DriftDetector d =
        new DriftDetector(reference(r, 300), new WindowSettings(500, 500, 1000, 50, 3), 0);
    for (int i = 0; i < 49; i++) {
      assertThat(d.add(new double[] {0, 0, 0}, 0, 5000)).isNull();
    }
    double[][] snap = d.add(new double[] {0, 0, 0}, 0, 5000);
    assertThat(snap).isNotNull();
    assertThat(snap[0]).hasSize(50);
  }

  @Test
  void aFastStreamIsCheckedOnceAMinimumIntervalOnItsLatestRows() {
    SplittableRandom r = new SplittableRandom(4);
    DriftDetector d =
        new DriftDetector(reference(r, 300), new WindowSettings(100, 100, 0, 10, 3, 1000), 0);
    int checks = 0;
    for (int i = 0; i < 1_000; i++) { // ten windows' worth of rows from 900 to 1,399 ms
      if (d.add(new double[] {i, 0, 0}, 0, 900 + i / 2) != null) {
        checks++;
      }
    }
    assertThat(checks).isEqualTo(1); // at 1,000 ms, a second after the start, not every 100 rows
    double[][] snap = d.add(new double[] {1_000, 0, 0}, 0, 1_999);
    assertThat(snap).isNull(); // 999 ms after that check
    snap = d.add(new double[] {1_001, 0, 0}, 0, 2_000);
    assertThat(snap).isNotNull();
    assertThat(snap[0]).hasSize(100).endsWith(1_001); // the latest 100 rows
  }

  @Test
  void aNegativeMinimumIntervalIsRefused() {
    assertThatThrownBy(() -> new WindowSettings(100, 100, 0, 10, 3, -1))
        .hasMessageContaining("negative minimum interval");
  }
}
