package io.mlqueue.app;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DVC-style params file ({@code params.yaml}) for {@code train --params}: its {@code train}
 * section names the algorithm ({@code algo}) and its options by their snake_case names, e.g.
 *
 * <pre>
 * train:
 *   algo: forest
 *   trees: 50
 *   max_depth: 6
 * </pre>
 *
 * DVC tracks these keys when {@code dvc.yaml} lists them under the stage's {@code params} ({@code
 * train.algo}, {@code train.trees}, …), so changing one reruns the stage.
 */
final class ParamsFile {
  private static final YAMLMapper YAML = new YAMLMapper();

  /** The {@code train} section: the algorithm, or null for the default, and its options as text. */
  record Section(String algo, Map<String, String> options) {}

  private ParamsFile() {}

  static Section train(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "params file not found");
    }
    JsonNode root;
    try (InputStream in = Files.newInputStream(file)) {
      root = YAML.readTree(in);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "params file " + file + " is not YAML: " + e.getOriginalMessage(), e);
    }
    JsonNode train = root == null ? null : root.get("train");
    if (train == null || !train.isObject()) {
      throw new IllegalArgumentException(
          "params file "
              + file
              + " has no 'train' section; write e.g.\ntrain:\n  algo: ridge\n  penalty: 0.5");
    }
    String algo = null;
    Map<String, String> options = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : train.properties()) {
      JsonNode v = e.getValue();
      if (!v.isValueNode() || v.isNull()) {
        throw new IllegalArgumentException(
            "params file %s: train.%s must be a number or a word, got %s"
                .formatted(file, e.getKey(), v));
      }
      if (e.getKey().equals("algo")) {
        algo = v.asText();
      } else {
        options.put(e.getKey(), v.asText());
      }
    }
    return new Section(algo, options);
  }
}
