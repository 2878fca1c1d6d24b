package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class OlsTrainerTest {
  private static final Dataset DIABETES = Dataset.builtIn();

  @Test
  void reproducesScikitLearnLinearRegression() {
    LinearModel m = new OlsTrainer().fit(DIABETES, "t", "1");

    assertThat(m.intercept()).isCloseTo(Reference.intercept(), within(1e-9));
    for (String f : DIABETES.featureNames()) {
      double expected = Reference.coef(f);
      assertThat(m.coefficient(f)).as(f).isCloseTo(expected, within(1e-9 * Math.abs(expected)));
    }
    for (int i = 0; i < DIABETES.size(); i++) {
      assertThat(m.predict(DIABETES.features(i)))
          .as("row %d", i)
          .isCloseTo(Reference.prediction(i), within(1e-9));
    }
    FitMetrics in = m.provenance().orElseThrow().inSample();
    assertThat(in.r2()).isCloseTo(Reference.metric("r2"), within(1e-9));
    assertThat(in.mae()).isCloseTo(Reference.metric("mae"), within(1e-9));
    assertThat(in.rmse()).isCloseTo(Reference.metric("rmse"), within(1e-9));
  }

  @Test
  void coefficientsFollowTheDataColumnsNotTribuosOrder() {
    // Tribuo numbers features alphabetically; reversed columns must still pair up by name.
    List<String> names = new ArrayList<>(DIABETES.featureNames()).reversed();
    double[][] rows = new double[DIABETES.size()][];
    for (int i = 0; i < rows.length; i++) {
      double[] r = DIABETES.features(i);
      rows[i] = new double[r.length];
      for (int j = 0; j < r.length; j++) {
        rows[i][j] = r[r.length - 1 - j];
      }
    }
    Dataset reversed = new Dataset("reversed", names, "target", rows, DIABETES.targets());
    LinearModel m = new OlsTrainer().fit(reversed, "t", "1");
    assertThat(m.featureNames()).isEqualTo(names);
    for (String f : names) {
      double expected = Reference.coef(f);
      assertThat(m.coefficient(f)).isCloseTo(expected, within(1e-9 * Math.abs(expected)));
    }
  }

  @Test
  void singleFeatureMatchesClosedForm() {
    int n = 30;
    double[][] rows = new double[n][];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      rows[i] = new double[] {i};
      y[i] = 1 + 0.5 * i + (i % 3);
    }
    LinearModel m = new OlsTrainer().fit(new Dataset("one", List.of("x"), "y", rows, y), "t", "1");
    double mx = (n - 1) / 2.0;
    double my = 0;
    for (double v : y) {
      my += v / n;
    }
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (i - mx) * (y[i] - my);
      sxx += (i - mx) * (i - mx);
    }
    assertThat(m.coefficient("x")).isCloseTo(sxy / sxx, within(1e-12));
    assertThat(m.intercept()).isCloseTo(my - mx * sxy / sxx, within(1e-12));
    assertThat(m.provenance().orElseThrow().trainer()).isEqualTo(OlsTrainer.SINGLE_FEATURE_TRAINER);
  }

  @Test
  void trainsSilently() {
    List<LogRecord> records = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger tribuo = Logger.getLogger("org.tribuo");
    tribuo.addHandler(capture);
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream sink = new PrintStream(printed, true, StandardCharsets.UTF_8);
    try {
      System.setOut(sink);
      System.setErr(sink);
      new OlsTrainer().fit(DIABETES, "t", "1");
    } finally {
      System.setOut(out);
      System.setErr(err);
      tribuo.removeHandler(capture);
    }
    assertThat(records).extracting(LogRecord::getMessage).isEmpty();
    assertThat(printed.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void refusesDataWithoutAUniqueSolution() {
    OlsTrainer trainer = new OlsTrainer();
    double[][] rows = new double[6][];
    double[] y = new double[6];
    for (int i = 0; i < 6; i++) {
      double a = i;
      double b = (i * 7) % 5;
      rows[i] = new double[] {a, b, a + 2 * b, 4};
      y[i] = i * i;
    }
    Dataset collinear = data(rows, y, 3, "a", "b", "c");
    assertThatThrownBy(() -> trainer.fit(collinear, "t", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "feature 'c' is (almost) a linear combination of the columns before it [a, b]");

    Dataset constant = data(rows, y, 4, "a", "b", "c", "k");
    assertThatThrownBy(() -> trainer.fit(constant, "t", "1"))
        .hasMessageContaining("feature 'k' is 4.0 in every row");

    Dataset flat = data(rows, new double[] {7, 7, 7, 7, 7, 7}, 2, "a", "b");
    assertThatThrownBy(() -> trainer.fit(flat, "t", "1"))
        .hasMessageContaining("target 'y' is 7.0 in every row");

    Dataset tooFew = data(new double[][] {{1, 2}, {2, 1}}, new double[] {1, 2}, 2, "a", "b");
    assertThatThrownBy(() -> trainer.fit(tooFew, "t", "1"))
        .hasMessageContaining("2 rows cannot determine 3 parameters");

    Dataset twice = data(rows, y, 2, "a", "a");
    assertThatThrownBy(() -> trainer.fit(twice, "t", "1"))
        .hasMessageContaining("column 'a' appears twice");
  }

  /** The first {@code width} columns of {@code rows} under {@code names}. */
  private static Dataset data(double[][] rows, double[] y, int width, String... names) {
    double[][] cut = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      cut[i] = Arrays.copyOf(rows[i], width);
    }
    return new Dataset("test", List.of(names), "y", cut, y);
  }
}
