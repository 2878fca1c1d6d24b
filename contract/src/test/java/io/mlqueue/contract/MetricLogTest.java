package io.mlqueue.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

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
    assertThatThrownBy(() -> MetricLog.parse("abc,1.0,2")).isInstanceOf(IllegalArgumentException.class);
    // "abc,1.0,3.5,2.5" cut after "2."
    assertThatThrownBy(() -> MetricLog.parse("abc,1.0,3.5,2.")).hasMessageContaining("absolute_error");
  }
}
