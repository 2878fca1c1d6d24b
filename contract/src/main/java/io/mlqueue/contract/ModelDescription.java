package io.mlqueue.contract;

import java.util.List;
import java.util.Objects;

/**
 * What a model worker serves, as it answers a describe call on queue {@code predict}: enough for a
 * client to build a request (the features, in the model's order) and to read the answer (the
 * target), without knowing how the model was made.
 *
 * @param name the model's name, e.g. {@code diabetes-ols}
 * @param version its version, e.g. {@code builtin} or a registry version number
 * @param featureNames the columns a row holds, in the model's order; at least one
 * @param target the name of the predicted column
 * @param platform the kind of model in the Open Inference Protocol's {@code <project>_<format>}
 *     form: {@code onnx_onnxv1} for an ONNX model, {@code mlqueue_linear} for our own linear models
 */
public record ModelDescription(
    String name, String version, List<String> featureNames, String target, String platform) {
  public ModelDescription {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(platform, "platform");
    featureNames = List.copyOf(featureNames);
    if (name.isEmpty() || version.isEmpty()) {
      throw new IllegalArgumentException("a model description needs a name and a version");
    }
    if (featureNames.isEmpty()) {
      throw new IllegalArgumentException("a model description needs at least one feature name");
    }
  }

  /** {@code name:version}, as every reply and {@code y_pred} names the model. */
  public String id() {
    return name + ":" + version;
  }
}
