package io.mlqueue.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModelLogTest {
  private static final Instant AT = Instant.parse("2025-01-02T03:04:05.120Z");

  private static ModelLog.Contents read(String text) throws IOException {
    return ModelLog.read(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "model_log.csv");
  }

  @Test
  void formatsTheCourseStyleLineAndParsesItBack() {
    ModelLog.Row row = ModelLog.Row.of("0d3c-1", "diabetes:3", 151.0, 206.11667724510565, AT);
    String line = ModelLog.format(row);
    assertThat(line)
        .isEqualTo(
            "0d3c-1,diabetes:3,151.0,206.11667724510565,"
                + row.absoluteError()
                + ",2025-01-02T03:04:05.120Z");
    assertThat(ModelLog.parse(line)).isEqualTo(row);
    assertThat(row.error()).isEqualTo(206.11667724510565 - 151.0);
  }

  @Test
  void quotesOnlyWhatNeedsIt() {
    ModelLog.Row row = ModelLog.Row.of("a,\"b\"", "m:1", 1, 2, AT);
    assertThat(ModelLog.format(row)).startsWith("\"a,\"\"b\"\"\",m:1,");
    assertThat(ModelLog.parse(ModelLog.format(row))).isEqualTo(row);
  }

  @Test
  void acceptsOffsetsAndQuotedFields() {
    ModelLog.Row row =
        ModelLog.parse("\"7\",\"m:1\",\"10\",\"12.5\",\"2.5\",\"2025-01-02T04:04:05.12+01:00\"");
    assertThat(row.id()).isEqualTo("7");
    assertThat(row.loggedAt()).isEqualTo(AT);
  }

  @Test
  void rejectsRowsThatAreNotWhole() {
    assertThatThrownBy(() -> ModelLog.parse("a,m:1,1.0,3.5,2.,2025-01-02T03:04:05Z"))
        .hasMessageContaining("absolute_error");
    assertThatThrownBy(() -> ModelLog.parse("a,m:1,1.0,3.5,2.5,yesterday"))
        .hasMessageContaining("logged_at 'yesterday'");
    assertThatThrownBy(() -> ModelLog.parse("a,m:1,1.0,3.5,2.5"))
        .hasMessageContaining("expected 6 columns");
    assertThatThrownBy(() -> ModelLog.parse("a,m:1,x,3.5,2.5,2025-01-02T03:04:05Z"))
        .hasMessageContaining("y_true 'x'");
  }

  @Test
  void readLeavesOutATornLastLineAndSaysSo() throws IOException {
    String whole = ModelLog.format(ModelLog.Row.of("1", "m:1", 10, 12, AT));
    // The torn line parses (its time is cut to a valid instant); only the missing line break tells.
    ModelLog.Contents contents =
        read(
            ModelLog.HEADER
                + "\r\n"
                + whole
                + "\r\n\n"
                + "2,m:1,10.0,11.0,1.0,2025-01-02T03:04:05.1");
    assertThat(contents.rows()).hasSize(1);
    assertThat(contents.tornTail()).isTrue();
    assertThat(read(ModelLog.HEADER + "\n" + whole + "\n").tornTail()).isFalse();
  }

  @Test
  void readNamesTheLineThatIsNotARow() {
    assertThatThrownBy(
            () -> read(ModelLog.HEADER + "\nnot,a,row\n1,m:1,1,1,0,2025-01-02T03:04:05Z\n"))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("model_log.csv:2: expected 6 columns");
  }

  @Test
  void readRefusesAnotherFile() {
    assertThatThrownBy(() -> read(MetricLog.HEADER + "\n"))
        .hasMessageContaining("is not a model log");
  }

  @Test
  void readAcceptsAnEmptyFileAndABareHeader() throws IOException {
    assertThat(read("").rows()).isEmpty();
    assertThat(read(ModelLog.HEADER).rows()).isEmpty();
    assertThat(
            read("\uFEFF\"id\",\"model\",\"y_true\",\"y_pred\",\"absolute_error\",\"logged_at\"\n")
                .rows())
        .isEmpty();
  }
}
