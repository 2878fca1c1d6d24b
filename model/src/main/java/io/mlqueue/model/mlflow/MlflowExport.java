package io.mlqueue.model.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.onnx.OnnxModel;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.registry.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code models export NAME@ALIAS --mlflow DIR}: writes a registry version as an MLflow model
 * directory, as {@code mlflow.onnx.save_model} lays one out: {@code model.onnx}, {@code MLmodel}
 * with the {@code onnx} and {@code python_function} flavors, a column signature (the version's
 * features, its target), an input example ({@code input_example.json}, and the REST body {@code
 * serving_input_example.json}), and the Python environment files MLflow's serving tools read. A
 * linear version is written as a double-precision ONNX graph ({@link LinearOnnx}); an ONNX version
 * is copied. A Tribuo version (a tree, forest or boosted trees) is refused: Tribuo 4.3 cannot write
 * trees to ONNX, and MLflow has no flavor for Tribuo.
 */
public final class MlflowExport {
  /** Rows of the input example. */
  static final int EXAMPLE_ROWS = 3;

  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();

  /** MLflow's {@code str(datetime.utcnow())}. */
  private static final DateTimeFormatter MLFLOW_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private MlflowExport() {}

  /**
   * Writes version {@code version} of {@code name} to the new directory {@code dir}, with the first
   * rows of {@code example} (which must have the version's feature columns) as its input example.
   *
   * @throws IllegalArgumentException when the version cannot be exported (a Tribuo model), {@code
   *     dir} exists and is not empty, or {@code example} lacks a feature
   */
  public static void export(
      ModelRegistry registry, String name, int version, Path dir, Dataset example, Clock clock)
      throws IOException {
    RunRecord run = registry.run(name, version);
    ModelFormat format = run.format();
    if (format == ModelFormat.TRIBUO) {
      String algorithm = run.trained().map(t -> t.algorithm()).orElse("tribuo");
      throw new IllegalArgumentException(
          "%s:%d is a %s model in Tribuo's format, which MLflow cannot load: its onnx flavor needs"
                  .formatted(name, version, algorithm)
              + " an ONNX graph, and Tribuo 4.3 cannot write trees to ONNX. Export a linear"
              + " (--algo ols or ridge) or an ONNX version");
    }
    if (Files.exists(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(
              dir + " exists and is not empty; MLflow writes a model into a new directory");
        }
      }
    }
    double[][] rows = exampleRows(example, run.features(), name + ":" + version);
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path staging = parent.resolve("." + dir.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.createDirectory(staging);
    try {
      Path onnx = staging.resolve("model.onnx");
      if (format == ModelFormat.LINEAR) {
        try (ServableModel model = registry.load(name, version)) {
          AtomicFiles.write(
              onnx, LinearOnnx.of((LinearModel) model, name, String.valueOf(version)));
        }
      } else {
        Files.copy(registry.modelFile(name, version), onnx);
      }
      String inputType;
      String outputType;
      // Loaded as MLflow's onnx flavor will load it: the graph's types decide the columns' types.
      try (OnnxModel graph =
          OnnxModel.load(onnx, name, String.valueOf(version), run.features(), run.target())) {
        inputType = columnType(graph.inputDtype());
        outputType = columnType(graph.outputDtype());
      }
      writeExample(staging, run.features(), rows);
      writeEnvironment(staging);
      long size = size(staging);
      AtomicFiles.write(
          staging.resolve(MlflowImport.MLMODEL), mlmodel(run, inputType, outputType, size, clock));
      Files.deleteIfExists(dir); // an empty directory, checked above
      Files.move(staging, dir);
    } finally {
      deleteTree(staging);
    }
  }

  private static String columnType(String dtype) {
    return dtype.equals("float32") ? "float" : "double";
  }

  private static double[][] exampleRows(Dataset data, List<String> features, String id) {
    int[] columns = new int[features.size()];
    for (int j = 0; j < columns.length; j++) {
      columns[j] = data.featureNames().indexOf(features.get(j));
      if (columns[j] < 0) {
        throw new IllegalArgumentException(
            "the data for %s's input example (%s) has no column '%s'; it needs %s"
                .formatted(id, data.name(), features.get(j), features));
      }
    }
    int n = Math.min(EXAMPLE_ROWS, data.size());
    double[][] rows = new double[n][columns.length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < columns.length; j++) {
        rows[i][j] = data.features(i)[columns[j]];
      }
    }
    return rows;
  }

  /** MLflow's pandas "split" orient, and the REST body that {@code mlflow models serve} takes. */
  private static void writeExample(Path dir, List<String> features, double[][] rows)
      throws IOException {
    ObjectNode split = StrictJson.MAPPER.createObjectNode();
    features.forEach(split.putArray("columns")::add);
    ArrayNode data = split.putArray("data");
    for (double[] row : rows) {
      ArrayNode r = data.addArray();
      for (double v : row) {
        r.add(v);
      }
    }
    AtomicFiles.write(
        dir.resolve("input_example.json"), StrictJson.MAPPER.writeValueAsString(split));
    ObjectNode serving = StrictJson.MAPPER.createObjectNode();
    serving.set("dataframe_split", split);
    AtomicFiles.write(
        dir.resolve("serving_input_example.json"), StrictJson.MAPPER.writeValueAsString(serving));
  }

  /** What MLflow's serving tools install to run the onnx flavor. */
  private static void writeEnvironment(Path dir) throws IOException {
    AtomicFiles.write(dir.resolve("requirements.txt"), "mlflow\nonnx\nonnxruntime\npandas\n");
    AtomicFiles.write(
        dir.resolve("python_env.yaml"),
        "python: \"3.11\"\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n");
    AtomicFiles.write(
        dir.resolve("conda.yaml"),
        "channels:\n- conda-forge\ndependencies:\n- python=3.11\n- pip\n- pip:\n  - mlflow\n"
            + "  - onnx\n  - onnxruntime\n  - pandas\nname: mlflow-env\n");
  }

  private static String mlmodel(
      RunRecord run, String inputType, String outputType, long size, Clock clock)
      throws IOException {
    // Keys in the order yaml.safe_dump writes them: sorted.
    ObjectNode root = YAML.createObjectNode();
    ObjectNode flavors = root.putObject("flavors");
    ObjectNode onnx = flavors.putObject("onnx");
    onnx.putNull("code");
    onnx.put("data", "model.onnx");
    onnx.putArray("providers").add("CPUExecutionProvider");
    ObjectNode pyfunc = flavors.putObject("python_function");
    pyfunc.put("data", "model.onnx");
    ObjectNode env = pyfunc.putObject("env");
    env.put("conda", "conda.yaml");
    env.put("virtualenv", "python_env.yaml");
    pyfunc.put("loader_module", "mlflow.onnx");
    pyfunc.put("python_version", "3.11");
    ObjectNode metadata = root.putObject("metadata");
    metadata.put("mlqueue_model", run.id());
    metadata.put("mlqueue_format", run.format().label());
    run.trained()
        .ifPresent(
            t -> {
              metadata.put("mlqueue_algorithm", t.algorithm());
              metadata.put("mlqueue_run_id", t.runId());
              metadata.put("mlqueue_data_sha256", t.dataSha256());
            });
    root.put("model_size_bytes", size);
    root.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
    ObjectNode example = root.putObject("saved_input_example_info");
    example.put("artifact_path", "input_example.json");
    example.put("pandas_orient", "split");
    example.put("serving_input_path", "serving_input_example.json");
    example.put("type", "dataframe");
    ObjectNode signature = root.putObject("signature");
    ArrayNode inputs = StrictJson.MAPPER.createArrayNode();
    for (String f : run.features()) {
      inputs.addObject().put("type", inputType).put("name", f).put("required", true);
    }
    ArrayNode outputs = StrictJson.MAPPER.createArrayNode();
    outputs.addObject().put("type", outputType).put("name", run.target()).put("required", true);
    // MLflow keeps the schemas as JSON text inside the YAML.
    signature.put("inputs", inputs.toString());
    signature.put("outputs", outputs.toString());
    signature.putNull("params");
    root.put("utc_time_created", MLFLOW_TIME.format(clock.instant()));
    return YAML.writeValueAsString(root);
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path f : files.toList()) {
        total += Files.size(f);
      }
      return total;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> all = Files.walk(dir)) {
      paths = new ArrayList<>(all.sorted(Comparator.reverseOrder()).toList());
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
