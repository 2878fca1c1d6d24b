package io.mlqueue.model.mlflow;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlqueue.model.FileDigest;
import io.mlqueue.model.ModelFormatException;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.onnx.OnnxModel;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code models add NAME --mlflow DIR}: registers an MLflow model directory whose model is an ONNX
 * graph, as MLflow's {@code onnx} flavor ({@code mlflow.onnx.save_model}) or a {@code
 * python_function} flavor with {@code loader_module: mlflow.onnx} writes it. The ONNX file is
 * copied as an ONNX version; the signature's input columns become its features and its output the
 * target; {@code run_id}, {@code model_uuid} and the rest of MLmodel's identity go into the run
 * record's source. What cannot be served is refused before anything is registered, saying why and
 * what would work.
 */
public final class MlflowImport {
  /** The file MLflow writes at the root of every model directory. */
  public static final String MLMODEL = "MLmodel";

  private static final YAMLMapper YAML = new YAMLMapper();

  private static final String EXPORT_HINT =
      "convert the model to ONNX (for scikit-learn: skl2onnx) and save it with"
          + " mlflow.onnx.save_model (or log_model), then add that directory";

  private MlflowImport() {}

  /**
   * Checks the MLflow model directory {@code dir} and registers its ONNX model as the next version
   * of {@code name}, pointing {@code alias} at it when not null.
   *
   * @throws MlflowFormatException when the directory holds no model mlqueue can serve, or its
   *     signature does not match the graph
   * @throws NoSuchFileException when {@code dir} or its MLmodel does not exist
   */
  public static ModelRegistry.Added add(
      ModelRegistry registry, String name, Path dir, String alias, Clock clock) throws IOException {
    ModelRegistry.checkName(name);
    if (alias != null) {
      ModelRegistry.checkAlias(alias);
    }
    Found found = read(dir);
    RunRecord.Import imported;
    try (OnnxModel graph = load(found)) {
      MlflowSignature signature =
          MlflowSignature.check(found.where, found.inputs, found.outputs, graph);
      imported =
          new RunRecord.Import(
              clock.instant(),
              dir.getFileName() + "/" + found.data,
              FileDigest.sha256(found.file),
              Files.size(found.file),
              graph.name(),
              graph.version(),
              signature.target().orElse(graph.targetName()),
              signature.features().orElse(graph.featureNames()),
              found.origin);
    }
    return registry.addImported(name, found.file, ModelFormat.ONNX, alias, imported);
  }

  /** What MLmodel points at, before the graph is loaded. */
  private record Found(
      String where,
      Path file,
      String data,
      String inputs,
      String outputs,
      RunRecord.MlflowOrigin origin) {}

  private static Found read(Path dir) throws IOException {
    String where = dir.toString();
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(where, null, "MLflow model directory not found");
    }
    Path mlmodel = dir.resolve(MLMODEL);
    if (!Files.isRegularFile(mlmodel)) {
      throw new MlflowFormatException(
          where,
          "has no MLmodel file, so it is not an MLflow model directory (the directory that"
              + " mlflow.onnx.save_model writes, or a run's artifacts/model)");
    }
    JsonNode root;
    try (InputStream in = Files.newInputStream(mlmodel)) {
      root = YAML.readTree(in);
    } catch (JacksonException e) {
      throw new MlflowFormatException(
          where, "its MLmodel is not YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("flavors").isObject()) {
      throw new MlflowFormatException(where, "its MLmodel has no 'flavors' section");
    }
    JsonNode flavors = root.get("flavors");
    String flavor;
    String data;
    JsonNode onnx = flavors.path("onnx");
    JsonNode pyfunc = flavors.path("python_function");
    if (onnx.isObject() && onnx.path("data").isTextual()) {
      flavor = "onnx";
      data = onnx.get("data").textValue();
    } else if (pyfunc.isObject()
        && "mlflow.onnx".equals(pyfunc.path("loader_module").asText())
        && pyfunc.path("data").isTextual()) {
      flavor = "python_function";
      data = pyfunc.get("data").textValue();
    } else {
      throw unservable(where, flavors);
    }
    Path file = dir.resolve(data).normalize();
    if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
      throw new MlflowFormatException(
          where, "its " + flavor + " flavor's data '" + data + "' is not a file in the directory");
    }
    JsonNode signature = root.path("signature");
    RunRecord.MlflowOrigin origin =
        new RunRecord.MlflowOrigin(
            text(root, "run_id"),
            text(root, "model_uuid"),
            flavor,
            text(root, "artifact_path"),
            text(root, "mlflow_version"),
            text(root, "utc_time_created"));
    return new Found(
        where, file, data, text(signature, "inputs"), text(signature, "outputs"), origin);
  }

  /** Why a directory without an ONNX flavor cannot be served, naming what it has. */
  private static MlflowFormatException unservable(String where, JsonNode flavors) {
    List<String> names = new ArrayList<>();
    flavors.fieldNames().forEachRemaining(names::add);
    JsonNode sklearn = flavors.path("sklearn");
    String loader = flavors.path("python_function").path("loader_module").asText("");
    String what;
    if (sklearn.isObject()) {
      what =
          "a pickled scikit-learn model ("
              + sklearn.path("pickled_model").asText("model.pkl")
              + ", "
              + sklearn.path("serialization_format").asText("pickle")
              + ")";
    } else if (!loader.isEmpty()) {
      what =
          "a model that only Python can load (python_function with loader_module " + loader + ")";
    } else {
      what = "no flavor mlqueue can serve";
    }
    return new MlflowFormatException(
        where,
        "has the flavors "
            + names
            + ": "
            + what
            + ". mlqueue serves ONNX graphs, not"
            + " Python objects (a pickle is code, and needs the Python that made it); "
            + EXPORT_HINT);
  }

  private static OnnxModel load(Found found) throws IOException {
    refuseExternalData(found);
    try {
      return OnnxModel.load(found.file);
    } catch (ModelFormatException e) {
      throw new MlflowFormatException(
          found.where,
          "its ONNX file "
              + found.data
              + " cannot be served: "
              + e.getMessage()
              + ". mlqueue serves a regression graph with one input [N, features] and one output"
              + " [N, 1]",
          e);
    }
  }

  /**
   * MLflow saves large tensors in files beside the graph by default ({@code
   * save_as_external_data=True}); the registry keeps the graph alone, so such a graph is refused.
   */
  private static void refuseExternalData(Found found) throws IOException {
    OnnxMl.ModelProto proto;
    try (InputStream in = Files.newInputStream(found.file)) {
      proto = OnnxMl.ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new MlflowFormatException(
          found.where, "its " + found.data + " is not an ONNX model: " + e.getMessage(), e);
    }
    long external =
        proto.getGraph().getInitializerList().stream()
            .filter(t -> t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL)
            .count();
    if (external > 0) {
      throw new MlflowFormatException(
          found.where,
          "its ONNX file keeps "
              + external
              + " tensor(s) in separate files (MLflow's"
              + " save_as_external_data=True); save it with save_as_external_data=False so the"
              + " graph is one file");
    }
  }

  private static String text(JsonNode parent, String field) {
    JsonNode v = parent.path(field);
    return v.isValueNode() && !v.isNull() ? v.asText() : null;
  }
}
