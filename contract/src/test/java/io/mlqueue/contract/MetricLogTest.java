package io.mlqueue.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricLogTest {
  @Test
  void rowKeepsAbsoluteErrorConsistent() {
    MetricLog.Row row = MetricLog.Row.of("id-1", 151.0, 206.11667);
    assertThat(row.absoluteError()).isEqualTo(Math.abs(151.0 - 206.11667));
  }

  @Test
  void formatAndParseRoundTrip() {
    MetricLog.Row row = MetricLog.Row.of("1700000000.123456", 75.0, 68.07234873100643);
    String line = MetricLog.format(row);
    assertThat(line).isEqualTo("1700000000.123456,75.0,68.07234873100643," + row.absoluteError());
    assertThat(MetricLog.parse(line)).isEqualTo(row);
  }

  @Test
  void quotesIdsThatNeedIt() {
    MetricLog.Row row = MetricLog.Row.of("a,\"b\"", 1, 2);
    String line = MetricLog.format(row);
    assertThat(line).startsWith("\"a,\"\"b\"\"\",");
    assertThat(MetricLog.parse(line)).isEqualTo(row);
  }

  @Test
  void tornLineIsRejected() {
    assertThatThrownBy(() -> MetricLog.parse("abc,1.0,2"))
        .isInstanceOf(IllegalArgumentException.class);
    // "abc,1.0,3.5,2.5" cut after "2."
    assertThatThrownBy(() -> MetricLog.parse("abc,1.0,3.5,2."))
        .hasMessageContaining("absolute_error");
  }

  // The fixtures are written by Python's csv module (metric_logs.py beside them): the same rows as
  // the course's metric writes them, and as other quoting styles of the same module do.

  @Test
  void formatWritesEachRowAsTheCoursesPythonMetricDoesByteForByte() throws IOException {
    List<String> python = lines("metric_log_minimal.csv");
    assertThat(python.get(0)).isEqualTo(MetricLog.HEADER);
    assertThat(MetricLog.format(MetricLog.Row.of("a,b", 206.0, 0.1234))).isEqualTo(python.get(4));
    assertThat(MetricLog.format(MetricLog.Row.of("say \"hi\"", 135.0, 135.5)))
        .isEqualTo(python.get(5));
    for (String line : python.subList(1, python.size())) {
      assertThat(MetricLog.format(MetricLog.parse(line))).isEqualTo(line);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"metric_log_quote_all.csv", "metric_log_nonnumeric.csv"})
  void parseReadsEveryQuotingStyleOfPythonsCsvWriter(String fixture) throws IOException {
    List<String> minimal = lines("metric_log_minimal.csv");
    List<String> quoted = lines(fixture);
    assertThat(quoted).hasSameSizeAs(minimal);
    assertThat(MetricLog.isHeader(quoted.get(0))).as(quoted.get(0)).isTrue();
    for (int i = 1; i < quoted.size(); i++) {
      assertThat(MetricLog.parse(quoted.get(i)))
          .as(quoted.get(i))
          .isEqualTo(MetricLog.parse(minimal.get(i)));
    }
  }

  @Test
  void theHeaderIsKnownQuotedOrNotAndNothingElseIsAHeader() {
    assertThat(MetricLog.isHeader(MetricLog.HEADER)).isTrue();
    assertThat(MetricLog.isHeader("\"id\",y_true,\"y_pred\",absolute_error")).isTrue();
    assertThat(MetricLog.isHeader("id,y_true,y_pred")).isFalse();
    assertThat(MetricLog.isHeader("\"id,y_true,y_pred,absolute_error\"")).isFalse();
    assertThat(MetricLog.isHeader("abc,1.0,2.0,1.0")).isFalse();
    assertThat(MetricLog.isHeader("\"id")).isFalse();
  }

  @Test
  void brokenQuotingIsAnIllegalArgument() {
    assertThatThrownBy(() -> MetricLog.parse("\"abc,1.0,2.0,1.0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MetricLog.parse("\"a\"b,1.0,2.0,1.0"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MetricLog.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MetricLog.parse(",1.0,2.0,1.0"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The fixture's lines without their line ends (LF or CRLF), as the log readers see them. */
  private static List<String> lines(String fixture) throws IOException {
    try (InputStream in = MetricLogTest.class.getResourceAsStream(fixture)) {
      assertThat(in).as(fixture).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  @Test
  void theQuickFormOfAPlainIdIsTheCsvWritersLineToTheByte() {
    java.util.Random random = new java.util.Random(11);
    String[] ids = {
      "0d3c5e1a-4b2f-4c8d-9e0f-1a2b3c4d5e6f",
      "1795919445.832",
      "row_7",
      "A:b/c",
      "x",
      "a,b",
      "say \"hi\"",
      " lead",
      "tab\there",
      "",
      "caf\u00e9"
    };
    double[] specials = {
      0.0,
      -0.0,
      1e-5,
      1.0E21,
      123456789.123,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      151.0,
      -3.5e-300,
      0.1 + 0.2
    };
    for (int n = 0; n < 20_000; n++) {
      String id = n < ids.length ? ids[n] : java.util.UUID.randomUUID().toString();
      double t =
          n < specials.length
              ? specials[n]
              : random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6);
      double p = random.nextDouble() * 300;
      MetricLog.Row row = new MetricLog.Row(id, t, p, Math.abs(t - p));
      assertThat(MetricLog.format(row)).as(id).isEqualTo(MetricLog.formatCsv(row));
    }
  }
}
