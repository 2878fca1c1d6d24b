package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.contract.Queues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wire compatibility with the course's Python services ({@code interop/course/*.py}), so a team can
 * replace one service at a time: each test swaps one side of the pipeline for the course's script
 * and checks the metric log end to end. Our side runs with {@code --compat course}, because the
 * scripts declare the queues non-durable and RabbitMQ would refuse their declare (406) of a durable
 * queue.
 */
class CourseInteropIT {
  private static final int PAIRS = 300;
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Duration FINISH = Duration.ofSeconds(90);

  /** {@code features: sent pair 1 id=1795919445.572191 row=207 y_true=202.0}. */
  private static final Pattern SENT =
      Pattern.compile("^features: sent pair (\\d+) id=(\\S+) row=(\\d+) y_true=(\\S+)$");

  /** The id form of {@code datetime.timestamp()} through Python's repr: digits, a point, digits. */
  private static final Pattern FLOAT_ID = Pattern.compile("\\d+\\.\\d+");

  // Ordered: processes are started after the vhost exists and killed before it is deleted.
  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  @BeforeEach
  void requirePython() {
    Optional<String> why = ServiceProcesses.whyPythonUnavailable();
    if (why.isPresent()) {
      System.err.println("course interop tests skipped: " + why.get());
      Assumptions.assumeTrue(false, "course interop tests skipped: " + why.get());
    }
  }

  @Test
  void courseFeaturesScriptFeedsOurModelAndMetricWithFloatIdsEchoedVerbatim() throws Exception {
    String uri = rabbit.uri();
    ServiceProcess model = services.mlqueue("model", uri, "model", "--compat", "course");
    ServiceProcess metric =
        services.mlqueue(
            "metric", uri, "metric", "--compat", "course", "--log-dir", logDir.toString());
    // Our services declare the queues before the script publishes: a publish to a queue that does
    // not exist yet is dropped silently by the default exchange.
    model.awaitLog("model: consuming features", READY);
    metric.awaitLog("metric: consuming y_pred", READY);

    ServiceProcess features =
        services.python("features.py", uri, Map.of("COUNT", "" + PAIRS, "INTERVAL", "0"));
    features.awaitSuccess(FINISH);

    // What the script sent: id literal (as json.dumps wrote it on the wire) -> data row.
    Map<String, Integer> sentRows = new HashMap<>();
    for (String line : features.lines()) {
      Matcher m = SENT.matcher(line.strip());
      if (m.matches()) {
        sentRows.put(m.group(2), Integer.parseInt(m.group(3)));
      }
    }
    assertThat(sentRows)
        .as("pairs features.py reported (its output:%n%s)", features.tail(5))
        .hasSize(PAIRS);

    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(csv, PAIRS, FINISH, () -> model.tail(20) + "\n" + metric.tail(20));
    List<CsvCheck.Row> rows = CsvCheck.assertValidLog(csv, PAIRS);

    // The ids are the course's float timestamps, echoed as the very literal Python sent: the CSV id
    // text equals the printed one character for character (no 1.79E9, no trailing zeros added).
    assertThat(CsvCheck.ids(rows)).isEqualTo(sentRows.keySet());
    for (CsvCheck.Row row : rows) {
      assertThat(row.id()).matches(FLOAT_ID);
      int dataRow = sentRows.get(row.id());
      assertThat(row.yTrue()).as("y_true of %s", row.line()).isEqualTo(CsvCheck.target(dataRow));
      assertThat(row.yPred())
          .as("y_pred of %s (data row %d)", row.line(), dataRow)
          .isCloseTo(CsvCheck.referencePrediction(dataRow), within(CsvCheck.PREDICTION_TOLERANCE));
    }
    // Everything the script sent was consumed and acked.
    rabbit.awaitEmpty(Duration.ofSeconds(10), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);

    model.stopCleanly();
    metric.stopCleanly();
  }

  @Test
  void ourFeaturesFeedTheCourseModelScriptWhosePredictionsOurMetricLogs() throws Exception {
    String uri = rabbit.uri();
    ServiceProcess metric =
        services.mlqueue(
            "metric", uri, "metric", "--compat", "course", "--log-dir", logDir.toString());
    metric.awaitLog("metric: consuming y_pred", READY);
    // EXIT_AFTER = what will be sent: the script auto-acks, so stopping it early would lose
    // messages.
    ServiceProcess model = services.python("model.py", uri, Map.of("EXIT_AFTER", "" + PAIRS));
    model.awaitLog("model: waiting for messages on queue features", READY);

    ServiceProcess features =
        services.mlqueue(
            "features",
            uri,
            "features",
            "--compat",
            "course",
            "--count",
            "" + PAIRS,
            "--rate",
            "500");
    features.awaitSuccess(FINISH);
    model.awaitSuccess(FINISH);
    assertThat(model.output()).contains("model: published " + PAIRS + " predictions");

    Path csv = logDir.resolve("metric_log.csv");
    CsvCheck.awaitExactRows(csv, PAIRS, FINISH, () -> model.tail(20) + "\n" + metric.tail(20));
    List<CsvCheck.Row> rows = CsvCheck.assertValidLog(csv, PAIRS);
    // Our ids are UUID strings; the script must have echoed them unchanged for the pairs to match.
    assertThat(rows)
        .allSatisfy(r -> assertThat(r.id()).matches("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"));
    // Our metric logs exactly the double the script sent: no digits lost between json.dumps and
    // the CSV. The script prints model: id="<uuid>" y_pred=<repr>.
    Map<String, Double> printed = new HashMap<>();
    Pattern predicted = Pattern.compile("^model: id=\"([^\"]+)\" y_pred=(\\S+)$");
    for (String line : model.lines()) {
      Matcher m = predicted.matcher(line.strip());
      if (m.matches()) {
        printed.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    assertThat(printed).hasSize(PAIRS);
    assertThat(rows).allSatisfy(r -> assertThat(r.yPred()).isEqualTo(printed.get(r.id())));
    rabbit.awaitEmpty(Duration.ofSeconds(10), Queues.FEATURES, Queues.Y_TRUE, Queues.Y_PRED);

    metric.stopCleanly();
  }
}
