package io.mlqueue.model.onnx;

import static io.mlqueue.model.onnx.OnnxModel.FEATURES_KEY;
import static io.mlqueue.model.onnx.OnnxModel.NAME_KEY;
import static io.mlqueue.model.onnx.OnnxModel.TARGET_KEY;
import static io.mlqueue.model.onnx.OnnxModel.VERSION_KEY;

import ai.onnxruntime.OnnxModelMetadata;
import io.mlqueue.model.FileDigest;
import io.mlqueue.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an ONNX file says about the model beyond its graph: name, version, feature names and target,
 * from the model's custom metadata (the keys in {@link OnnxModel}), with fallbacks for a file that
 * has none.
 *
 * @param name letters, digits, {@code . _ -}
 * @param version same characters
 * @param featureNames distinct and non-blank, one per input column
 * @param targetName what the model predicts
 */
record OnnxIdentity(String name, String version, List<String> featureNames, String targetName) {

  /** The characters a {@link io.mlqueue.model.LinearModel}'s name and version may use. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");

  private static final Pattern NOT_TOKEN = Pattern.compile("[^A-Za-z0-9._-]+");

  static OnnxIdentity of(Path file, OnnxModelMetadata metadata, OnnxSignature signature)
      throws IOException {
    Map<String, String> meta = metadata.getCustomMetadata();
    String source = file.toString();
    String name =
        meta.containsKey(NAME_KEY)
            ? token(source, NAME_KEY, meta.get(NAME_KEY))
            : nameFromFile(file);
    String version;
    if (meta.containsKey(VERSION_KEY)) {
      version = token(source, VERSION_KEY, meta.get(VERSION_KEY));
    } else if (hasModelVersion(metadata)) {
      version = Long.toString(metadata.getVersion());
    } else {
      version = FileDigest.sha256(file).substring(0, 8);
    }
    List<String> features =
        meta.containsKey(FEATURES_KEY)
            ? features(source, meta.get(FEATURES_KEY), signature.featureCount())
            : defaultFeatures(signature.featureCount());
    String target = meta.getOrDefault(TARGET_KEY, signature.outputName()).strip();
    if (target.isEmpty()) {
      throw refuse(source, "metadata '" + TARGET_KEY + "' is blank");
    }
    return new OnnxIdentity(name, version, features, target);
  }

  /** This identity under {@code name} and {@code version} where they are not null. */
  OnnxIdentity servedAs(String name, String version) {
    return new OnnxIdentity(
        name != null ? name : this.name,
        version != null ? version : this.version,
        featureNames,
        targetName);
  }

  /**
   * This identity reading {@code features} and predicting {@code target} where they are not null.
   *
   * @throws ModelFormatException if {@code features} does not name {@code count} distinct columns
   */
  OnnxIdentity reading(String source, List<String> features, String target, int count) {
    List<String> names = featureNames;
    if (features != null) {
      if (features.size() != count) {
        throw refuse(
            source,
            "%d feature names %s given for a graph whose input has %d columns"
                .formatted(features.size(), features, count));
      }
      Set<String> seen = new HashSet<>();
      for (String f : features) {
        if (f.isBlank() || !seen.add(f)) {
          throw refuse(source, "feature names " + features + " must be distinct and not blank");
        }
      }
      names = List.copyOf(features);
    }
    String t = target != null ? target.strip() : targetName;
    if (t.isEmpty()) {
      throw refuse(source, "the target's name is blank");
    }
    return new OnnxIdentity(name, version, names, t);
  }

  /** Refuses a name or version given to serve a file under that ids and logs could not carry. */
  static void checkToken(String what, String value) {
    if (value != null && !TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "an ONNX model's %s may use only letters, digits, '.', '_' and '-', not '%s'"
              .formatted(what, value));
    }
  }

  /**
   * Whether the file sets ONNX's {@code model_version}. ONNX Runtime reports an unset one as {@code
   * Long.MAX_VALUE}, and exporters write 0 for "none".
   */
  private static boolean hasModelVersion(OnnxModelMetadata metadata) {
    long v = metadata.getVersion();
    return v > 0 && v != Long.MAX_VALUE;
  }

  /** {@code diabetes ridge.onnx} gives {@code diabetes_ridge}: names end up in ids and logs. */
  private static String nameFromFile(Path file) {
    String stem = file.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
    String name = NOT_TOKEN.matcher(stem).replaceAll("_");
    return name.isEmpty() ? "onnx" : name;
  }

  private static String token(String source, String key, String value) {
    String v = value.strip();
    if (!TOKEN.matcher(v).matches()) {
      throw refuse(
          source,
          "metadata '%s' is '%s'; it may use only letters, digits, '.', '_' and '-'"
              .formatted(key, value));
    }
    return v;
  }

  private static List<String> features(String source, String value, int count) {
    List<String> names = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      names.add(part.strip());
    }
    if (names.size() != count) {
      throw refuse(
          source,
          "metadata '%s' names %d features (%s) but the graph's input has %d columns"
              .formatted(FEATURES_KEY, names.size(), value, count));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      if (n.isEmpty()) {
        throw refuse(
            source, "metadata '%s' has a blank name at position %d".formatted(FEATURES_KEY, i));
      }
      if (!seen.add(n)) {
        throw refuse(source, "metadata '%s' lists '%s' twice".formatted(FEATURES_KEY, n));
      }
    }
    return List.copyOf(names);
  }

  private static List<String> defaultFeatures(int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add("f" + i);
    }
    return List.copyOf(names);
  }

  private static ModelFormatException refuse(String source, String why) {
    return new ModelFormatException("ONNX model " + source + ": " + why);
  }
}
