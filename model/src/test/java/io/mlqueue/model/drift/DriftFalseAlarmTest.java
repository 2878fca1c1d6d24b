package io.mlqueue.model.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.stats.drift.DriftDetector;
import io.mlqueue.stats.drift.WindowCheck;
import io.mlqueue.stats.drift.WindowSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The built-in model's detector at its defaults, fed 100,000 rows drawn with replacement from the
 * diabetes data (what {@code features} sends): no drift episode starts. Then the same stream with
 * bmi shifted by one standard deviation from row 50,000: an episode of bmi (and of the prediction,
 * which bmi moves) starts within patience + 1 windows, and no other feature is named.
 */
class DriftFalseAlarmTest {
  private static final int ROWS = 100_000;

  private static List<String> run(double shift, long shiftFrom, long[] firstAlarm) {
    Dataset data = Dataset.builtIn();
    LinearModel model = BuiltInModel.get();
    WindowSettings settings = WindowSettings.defaults();
    DriftDetector detector = new DriftDetector(ReferenceProfiles.builtIn(), settings, 0);
    int bmi = data.featureNames().indexOf("bmi");
    SplittableRandom random = new SplittableRandom(42);
    List<String> started = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      double[] row = data.features(random.nextInt(data.size())).clone();
      if (i >= shiftFrom) {
        row[bmi] += shift;
      }
      // Rows only: no time-triggered checks in a test that runs as fast as it can.
      double[][] snapshot = detector.add(row, model.predict(row), 0);
      if (snapshot != null) {
        WindowCheck c = detector.check(snapshot);
        if (!c.started().isEmpty() && firstAlarm[0] < 0) {
          firstAlarm[0] = i;
        }
        started.addAll(c.started());
      }
    }
    return started;
  }

  @Test
  void anUnshiftedStreamOfAHundredThousandRowsRaisesNoAlarm() {
    long[] first = {-1};
    assertThat(run(0, Long.MAX_VALUE, first)).isEmpty();
  }

  @Test
  void aShiftOfBmiIsNamedWithinPatiencePlusOneWindows() {
    long[] first = {-1};
    double sd =
        ReferenceProfiles.builtIn().features().stream()
            .filter(c -> c.name().equals("bmi"))
            .findFirst()
            .orElseThrow()
            .std();
    List<String> started = run(sd, 50_000, first);
    assertThat(started).contains("bmi").allMatch(c -> c.equals("bmi") || c.equals("prediction"));
    WindowSettings s = WindowSettings.defaults();
    assertThat(first[0]).isBetween(50_000L, 50_000L + (s.patience() + 1L) * s.size());
  }
}
