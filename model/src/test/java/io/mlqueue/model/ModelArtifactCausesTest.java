package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeParseException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * An artifact refused for a reason found deeper down keeps that reason as its cause, so a stack
 * trace in the log shows where it came from (issue 16, "causes lost").
 */
class ModelArtifactCausesTest {

  @Test
  void aBadTimestampKeepsTheParserError() {
    assertThatThrownBy(() -> read(n -> n.withObject("provenance").put("trainedAt", "yesterday")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("provenance.trainedAt 'yesterday'")
        .hasCauseInstanceOf(DateTimeParseException.class);
  }

  @Test
  void aBadNameKeepsTheModelsOwnRefusal() {
    assertThatThrownBy(() -> read(n -> n.put("name", "a b")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("model name 'a b'")
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model name 'a b'");
  }

  @Test
  void aBadProvenanceKeepsItsRefusal() {
    assertThatThrownBy(() -> read(n -> n.withObject("provenance").put("dataSha256", "abc")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("dataSha256 must be 64 lower-case hex digits")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  private static void read(Consumer<ObjectNode> edit) throws Exception {
    ObjectNode node =
        (ObjectNode) StrictJson.MAPPER.readTree(ModelArtifact.toJson(BuiltInModel.get()));
    edit.accept(node);
    ModelArtifact.fromJson("bad.json", node.toString());
  }
}
