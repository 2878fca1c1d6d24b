package io.mlqueue.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void roundTripsExactly(@TempDir Path dir) throws Exception {
    LinearModel m = BuiltInModel.get();
    Path file = dir.resolve("models/diabetes.json");
    ModelArtifact.write(m, file);
    LinearModel back = ModelArtifact.read(file);

    assertThat(back).isEqualTo(m);
    assertThat(back.coefficients()).containsExactly(m.coefficients());
    assertThat(back.provenance()).isEqualTo(m.provenance());
    String text = Files.readString(file);
    assertThat(text)
        .contains(
            "\"format\" : \"mlqueue-model\"",
            "\"formatVersion\" : 1",
            "\"type\" : \"linear\"",
            "\"dataSha256\" : null");
  }

  @Test
  void replacesAtomicallyAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.json");
    Files.writeString(file, "old");
    LinearModel hand = new LinearModel("m", "2", List.of("x"), "y", 1, new double[] {2}, null);
    ModelArtifact.write(hand, file);
    assertThat(ModelArtifact.read(file)).isEqualTo(hand);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void unreadableFilesAreNamed(@TempDir Path dir) throws Exception {
    Path binary = dir.resolve("model.bin");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, '{'});
    assertThatThrownBy(() -> ModelArtifact.read(binary))
        .isInstanceOf(ModelFormatException.class)
        .hasMessage("model artifact " + binary + " is not UTF-8 text");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> ModelArtifact.read(dir.resolve("nope.json")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.json")
        .hasMessageContaining("model artifact not found");
  }

  @Test
  void badArtifactsFailInPlainWords() {
    assertThatThrownBy(() -> ModelArtifact.fromJson("a.json", "{not json"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("model artifact a.json is not valid JSON");
    assertThatThrownBy(() -> ModelArtifact.fromJson("a.json", "[1, 2]"))
        .hasMessage("model artifact a.json is not a JSON object");

    assertBad(
        n -> n.put("format", "onnx"),
        "is not a model artifact: format is 'onnx', expected 'mlqueue-model'");
    assertBad(
        n -> n.put("formatVersion", 2),
        "has formatVersion 2; this build reads only version 1 (upgrade mlqueue)");
    assertBad(n -> n.put("type", "tree"), "has model type 'tree'; this build knows only 'linear'");
    assertBad(
        n -> n.withArray("coefficients").add(1.0),
        "lists 10 features but 11 coefficients; they must pair up one to one");
    assertBad(n -> n.remove("intercept"), "has no field 'intercept'");
    assertBad(
        n -> n.put("intercept", "152"), "field 'intercept' must be a finite number, got \"152\"");
    assertBad(
        n -> n.withArray("coefficients").set(3, "NaN"),
        "coefficients[3] must be a finite number, got \"NaN\"");
    assertBad(n -> n.withArray("features").set(1, "age"), "feature 'age' is listed twice");
    assertBad(
        n -> n.put("name", "a b"),
        "model name 'a b' may use only letters, digits, '.', '_' and '-'");
    assertBad(
        n -> n.withObject("provenance").put("trainedAt", "yesterday"),
        "provenance.trainedAt 'yesterday' is not an ISO-8601 instant");
    assertBad(
        n -> n.withObject("provenance").put("dataSha256", "abc"),
        "provenance: dataSha256 must be 64 lower-case hex digits, got 'abc'");
  }

  @Test
  void numbersJsonCannotHoldAreRejected() throws Exception {
    String good = ModelArtifact.toJson(BuiltInModel.get());
    // JSON has no Infinity; a literal too large for a double would otherwise become one.
    String huge = good.replaceFirst("\"intercept\" : [^,]+,", "\"intercept\" : 1e999,");
    assertThatThrownBy(() -> ModelArtifact.fromJson("a.json", huge))
        .hasMessage(
            "model artifact a.json field 'intercept' must be a finite number, got one too large for"
                + " a double");
    String bare = good.replaceFirst("\"intercept\" : [^,]+,", "\"intercept\" : NaN,");
    assertThatThrownBy(() -> ModelArtifact.fromJson("a.json", bare))
        .hasMessageStartingWith("model artifact a.json is not valid JSON");
    String twice = good.replaceFirst("\\{", "{ \"intercept\" : 1.0,");
    assertThatThrownBy(() -> ModelArtifact.fromJson("a.json", twice))
        .hasMessageContaining("Duplicate field 'intercept'");
  }

  private static void assertBad(Consumer<ObjectNode> edit, String expected) {
    ObjectNode node;
    try {
      node = (ObjectNode) JSON.readTree(ModelArtifact.toJson(BuiltInModel.get()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    edit.accept(node);
    assertThatThrownBy(() -> ModelArtifact.fromJson("bad.json", node.toString()))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("model artifact bad.json ")
        .hasMessageContaining(expected);
  }
}
