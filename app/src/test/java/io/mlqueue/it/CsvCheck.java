package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks on a {@code metric_log.csv} written by a service under test.
 *
 * <p>The file is parsed here independently of the production reader ({@code MetricLog.parse}), so a
 * bug shared by writer and reader cannot hide itself. Expected predictions come from the built-in
 * model over the built-in data, computed in the test: the model module's own tests prove that model
 * equals scikit-learn's {@code LinearRegression} to 1e-9, which is what the course's Python model
 * serves too.
 */
public final class CsvCheck {
  /** The header the course's metric service writes, and ours must too. */
  static final String HEADER = "id,y_true,y_pred,absolute_error";

  /** How close a logged prediction must be to the reference model's. */
  static final double PREDICTION_TOLERANCE = 1e-9;

  private CsvCheck() {}

  /** One data row, as text for the id and as parsed numbers. */
  public record Row(String id, double yTrue, double yPred, double absoluteError, String line) {}

  /** The data rows of {@code csv}, after asserting its header; line ends may be LF or CRLF. */
  public static List<Row> rows(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    assertThat(lines).as("%s is empty", csv).isNotEmpty();
    assertThat(lines.get(0).strip()).as("header of %s", csv).isEqualTo(HEADER);
    List<Row> rows = new ArrayList<>(lines.size() - 1);
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).stripTrailing();
      String[] cells = line.split(",", -1);
      assertThat(cells).as("line %d of %s: %s", i + 1, csv, line).hasSize(4);
      try {
        rows.add(
            new Row(
                cells[0],
                Double.parseDouble(cells[1]),
                Double.parseDouble(cells[2]),
                Double.parseDouble(cells[3]),
                line));
      } catch (NumberFormatException e) {
        fail("line %d of %s is not numeric: %s", i + 1, csv, line);
      }
    }
    return rows;
  }

  /**
   * Data rows in {@code csv} now: lines after the header; 0 while the file does not exist yet.
   * Cheap enough to poll.
   */
  public static int rowCount(Path csv) {
    try (var lines = Files.lines(csv, StandardCharsets.UTF_8)) {
      return (int) Math.max(0, lines.count() - 1);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until {@code csv} holds at least {@code rows} data rows, then a little longer to make
   * sure no more arrive (a duplicate would show up as an extra row), and asserts it holds exactly
   * {@code rows}. {@code context} supplies text for the failure message, e.g. the services' log
   * tails.
   */
  public static void awaitExactRows(Path csv, int rows, Duration timeout, Supplier<String> context)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen;
    while ((seen = rowCount(csv)) < rows) {
      if (System.nanoTime() > deadline) {
        fail("%s has %d rows after %s, expected %d%n%s", csv, seen, timeout, rows, context.get());
      }
      Thread.sleep(100);
    }
    // Redeliveries after a crash arrive within a second or two of the recovery; give a duplicate a
    // chance to show itself before declaring the count exact.
    Thread.sleep(1_000);
    assertThat(rowCount(csv)).as("rows in %s (more than sent: duplicates?)", csv).isEqualTo(rows);
  }

  /**
   * The full check of a log the pipeline wrote from the built-in data: {@code expected} rows, all
   * ids distinct, {@code absolute_error == |y_true - y_pred|}, and each (y_true, y_pred) the
   * (target, prediction) of some row of the data under the reference model.
   */
  public static List<Row> assertValidLog(Path csv, int expected) throws IOException {
    List<Row> rows = rows(csv);
    assertThat(rows).as("data rows of %s", csv).hasSize(expected);
    assertDistinctIds(rows);
    assertAbsoluteErrors(rows);
    assertReferencePredictions(rows);
    return rows;
  }

  /** No id appears twice. */
  public static void assertDistinctIds(List<Row> rows) {
    Map<String, Long> counts =
        rows.stream().collect(Collectors.groupingBy(Row::id, Collectors.counting()));
    Map<String, Long> duplicates =
        counts.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertThat(duplicates).as("ids logged more than once (of %d rows)", rows.size()).isEmpty();
  }

  /** {@code absolute_error == |y_true - y_pred|} in every row, to the last bit that matters. */
  public static void assertAbsoluteErrors(List<Row> rows) {
    for (Row row : rows) {
      double expected = Math.abs(row.yTrue() - row.yPred());
      assertThat(row.absoluteError())
          .as("absolute_error of row %s", row.line())
          .isCloseTo(expected, within(1e-9 * Math.max(1, expected)));
    }
  }

  /**
   * Every row's (y_true, y_pred) is (target, prediction) of some row of the built-in data: its
   * y_true is one of the targets, and its y_pred is within {@value #PREDICTION_TOLERANCE} of the
   * reference prediction of a data row with that target. A prediction paired with the wrong y_true
   * (a pairing bug) or computed wrongly fails this.
   */
  public static void assertReferencePredictions(List<Row> rows) {
    Map<Double, List<Double>> predictionsByTarget = referencePredictionsByTarget();
    for (Row row : rows) {
      List<Double> candidates = predictionsByTarget.get(row.yTrue());
      assertThat(candidates)
          .as("y_true of row %s is no target of the diabetes data", row.line())
          .isNotNull();
      boolean matches =
          candidates.stream().anyMatch(p -> Math.abs(p - row.yPred()) <= PREDICTION_TOLERANCE);
      assertThat(matches)
          .as(
              "y_pred of row %s is not the reference prediction of any data row with target %s"
                  + " (candidates %s)",
              row.line(), row.yTrue(), candidates)
          .isTrue();
    }
  }

  /** The reference prediction for row {@code index} of the built-in data. */
  public static double referencePrediction(int index) {
    return Reference.MODEL.predict(Reference.DATA.features(index));
  }

  /** A copy of the features of row {@code index} of the built-in data. */
  public static double[] features(int index) {
    return Reference.DATA.features(index);
  }

  /** The target of row {@code index} of the built-in data. */
  public static double target(int index) {
    return Reference.DATA.target(index);
  }

  /** The ids of {@code rows}, as a set. */
  public static Set<String> ids(List<Row> rows) {
    Set<String> ids = new HashSet<>();
    rows.forEach(r -> ids.add(r.id()));
    return ids;
  }

  private static Map<Double, List<Double>> referencePredictionsByTarget() {
    Map<Double, List<Double>> byTarget = new HashMap<>();
    for (int i = 0; i < Reference.DATA.size(); i++) {
      byTarget
          .computeIfAbsent(Reference.DATA.target(i), t -> new ArrayList<>())
          .add(referencePrediction(i));
    }
    return byTarget;
  }

  // Fitted once per test JVM, on first use.
  private static final class Reference {
    static final Dataset DATA = Dataset.builtIn();
    static final LinearModel MODEL = BuiltInModel.get();
  }
}
