package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.StrictJson;
import java.nio.file.Path;
import java.time.format.DateTimeParseException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading {@code run.json}: a malformed field is refused by name rather than read as 0, and a
 * refusal keeps the parser's error as its cause (issue 16, "causes lost").
 */
class RunRecordReadingTest {
  @TempDir Path dir;

  private String good() throws Exception {
    return RunRecord.trained("price", 1, Fits.line(dir, 3, 2, -0.5)).toJson();
  }

  private RunRecord read(Consumer<ObjectNode> edit) throws Exception {
    ObjectNode node = (ObjectNode) StrictJson.MAPPER.readTree(good());
    edit.accept(node);
    return RunRecord.fromJson("run.json", node.toString());
  }

  @Test
  void aRecordWrittenIsReadBackTheSame() throws Exception {
    RunRecord written = RunRecord.trained("price", 1, Fits.line(dir, 3, 2, -0.5));
    assertThat(RunRecord.fromJson("run.json", written.toJson())).isEqualTo(written);
  }

  @Test
  void invalidJsonKeepsTheParsersError() {
    assertThatThrownBy(() -> RunRecord.fromJson("run.json", "{\"format\": "))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("run record run.json is not valid JSON")
        .hasCauseInstanceOf(JacksonException.class);
  }

  @Test
  void aRowCountThatIsNotANumberIsRefusedNotReadAsZero() {
    assertThatThrownBy(() -> read(n -> n.withObject("data").put("rows", "442x")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("'rows'")
        .hasMessageContaining("\"442x\"");
  }

  @Test
  void aMetricThatIsNotANumberIsRefusedNotReadAsZero() {
    assertThatThrownBy(
            () -> read(n -> n.withObject("metrics").withObject("inSample").put("mae", "low")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("'mae'")
        .hasMessageContaining("\"low\"");
  }

  @Test
  void aVersionThatIsNotANumberIsRefusedNotReadAsZero() {
    assertThatThrownBy(() -> read(n -> n.put("version", "one")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("'version'");
  }

  @Test
  void aBadTimestampKeepsTheParsersError() {
    assertThatThrownBy(() -> read(n -> n.put("startedAt", "yesterday")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("yesterday")
        .hasCauseInstanceOf(DateTimeParseException.class);
  }
}
