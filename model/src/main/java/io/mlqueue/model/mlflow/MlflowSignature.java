package io.mlqueue.model.mlflow;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.onnx.OnnxModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an MLflow signature says the model reads and predicts, checked against the ONNX graph it
 * describes. MLflow writes a signature's {@code inputs} and {@code outputs} as JSON strings inside
 * {@code MLmodel}: either columns ({@code [{"name": "age", "type": "double"}, …]}, fed to a
 * single-input graph as a table's values, in order) or tensors ({@code [{"type": "tensor",
 * "tensor-spec": {"dtype": "float64", "shape": [-1, 10]}}]}).
 *
 * @param features the input column names in order, or empty when the signature names none (a
 *     tensor): the file's own then
 * @param target the predicted column's name, or empty when the signature names none
 */
record MlflowSignature(Optional<List<String>> features, Optional<String> target) {

  /** Column types a feature may have: numbers. MLflow converts integers to the graph's floats. */
  private static final Set<String> NUMERIC = Set.of("double", "float", "long", "integer");

  static final MlflowSignature NONE = new MlflowSignature(Optional.empty(), Optional.empty());

  /**
   * Reads {@code inputs} and {@code outputs} (JSON text, either may be null) and checks them
   * against {@code graph}.
   *
   * @throws MlflowFormatException saying what does not match and what would
   */
  static MlflowSignature check(String dir, String inputs, String outputs, OnnxModel graph) {
    Optional<List<String>> features =
        inputs == null ? Optional.empty() : inputs(dir, parse(dir, "inputs", inputs), graph);
    Optional<String> target =
        outputs == null ? Optional.empty() : output(dir, parse(dir, "outputs", outputs), graph);
    return new MlflowSignature(features, target);
  }

  private static JsonNode parse(String dir, String field, String json) {
    JsonNode node;
    try {
      node = StrictJson.MAPPER.readTree(json);
    } catch (JacksonException e) {
      throw new MlflowFormatException(
          dir, "its signature's " + field + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw new MlflowFormatException(
          dir, "its signature's " + field + " is not a list of columns or tensors");
    }
    return node;
  }

  private static Optional<List<String>> inputs(String dir, JsonNode specs, OnnxModel graph) {
    int width = graph.featureCount();
    if (isTensor(specs.get(0))) {
      if (specs.size() != 1) {
        throw mismatch(dir, graph, "the signature has " + specs.size() + " input tensors");
      }
      JsonNode spec = specs.get(0).path("tensor-spec");
      String dtype = spec.path("dtype").asText("");
      if (!dtype.equals(graph.inputDtype())) {
        throw mismatch(
            dir,
            graph,
            "the signature's input tensor holds "
                + describe(dtype)
                + " but the graph's"
                + " input '"
                + graph.inputName()
                + "' holds "
                + graph.inputDtype());
      }
      JsonNode shape = spec.path("shape");
      if (!shape.isArray() || shape.size() != 2 || shape.get(1).asLong() != width) {
        throw mismatch(
            dir,
            graph,
            "the signature's input tensor has shape "
                + shape
                + " but the graph's input"
                + " '"
                + graph.inputName()
                + "' is [-1, "
                + width
                + "]");
      }
      String name = specs.get(0).path("name").asText("");
      if (!name.isEmpty() && !name.equals(graph.inputName())) {
        throw mismatch(
            dir,
            graph,
            "the signature names its input tensor '"
                + name
                + "' but the graph's input"
                + " is '"
                + graph.inputName()
                + "'");
      }
      return Optional.empty(); // a tensor names no columns: the file's own names stand
    }
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      JsonNode column = specs.get(i);
      if (isTensor(column)) {
        throw new MlflowFormatException(dir, "its signature mixes columns and tensors in inputs");
      }
      String name = column.path("name").asText("");
      String type = column.path("type").asText("");
      if (name.isBlank()) {
        throw new MlflowFormatException(
            dir,
            "its signature's input column "
                + i
                + " has no name; mlqueue matches features by"
                + " name: name the columns (infer_signature on a DataFrame does)");
      }
      if (!NUMERIC.contains(type)) {
        throw new MlflowFormatException(
            dir,
            "its signature's input column '"
                + name
                + "' is of type "
                + describe(type)
                + "; features are numbers (double, float, long or integer)");
      }
      if (!seen.add(name)) {
        throw new MlflowFormatException(
            dir, "its signature lists input column '" + name + "' twice");
      }
      names.add(name);
    }
    if (names.size() != width) {
      throw mismatch(
          dir,
          graph,
          "the signature has "
              + names.size()
              + " input columns "
              + names
              + " but the graph's input '"
              + graph.inputName()
              + "' has "
              + width
              + " columns");
    }
    return Optional.of(List.copyOf(names));
  }

  private static Optional<String> output(String dir, JsonNode specs, OnnxModel graph) {
    if (specs.size() != 1) {
      throw mismatch(
          dir,
          graph,
          "the signature has "
              + specs.size()
              + " outputs but the graph predicts one"
              + " number per row ('"
              + graph.outputName()
              + "')");
    }
    JsonNode out = specs.get(0);
    String name = out.path("name").asText("");
    if (isTensor(out)) {
      JsonNode shape = out.path("tensor-spec").path("shape");
      boolean oneNumber =
          shape.isArray()
              && (shape.size() == 1 || (shape.size() == 2 && shape.get(1).asLong() == 1));
      if (!oneNumber) {
        throw mismatch(
            dir,
            graph,
            "the signature's output tensor has shape "
                + shape
                + " but the graph gives one number per row");
      }
    } else if (!NUMERIC.contains(out.path("type").asText(""))) {
      throw new MlflowFormatException(
          dir,
          "its signature's output '"
              + name
              + "' is of type "
              + describe(out.path("type").asText(""))
              + "; mlqueue serves regressions (a number)");
    }
    return name.isBlank() ? Optional.empty() : Optional.of(name);
  }

  private static boolean isTensor(JsonNode spec) {
    return "tensor".equals(spec.path("type").asText());
  }

  private static String describe(String type) {
    return type.isEmpty() ? "(none)" : type;
  }

  private static MlflowFormatException mismatch(String dir, OnnxModel graph, String what) {
    return new MlflowFormatException(
        dir,
        "its signature does not match its ONNX graph: "
            + what
            + ". The signature must"
            + " describe the graph: one column per input column, in order (infer_signature on the"
            + " training features does), or one tensor [-1, "
            + graph.featureCount()
            + "] of "
            + graph.inputDtype());
  }
}
