package io.mlqueue.model.format;

import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelArtifact;
import io.mlqueue.model.ModelFormatException;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.onnx.OnnxModel;
import io.mlqueue.model.tribuo.TribuoModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The kinds of model file the worker serves, each with its file name in a registry version, the
 * suffix that marks it on the command line, and how to load it. Described in {@code
 * docs/MODEL_FORMAT.md}.
 */
public enum ModelFormat {
  /** Our JSON artifact of a linear model ({@code train --algo ols|ridge}). */
  LINEAR("linear", "model.json", ".json"),
  /** An ONNX regression graph, made elsewhere ({@code models add}) or exported from ours. */
  ONNX("onnx", "model.onnx", ".onnx"),
  /**
   * Tribuo's protobuf file of a tree, forest or boosted trees ({@code train --algo
   * tree|forest|gbt}).
   */
  TRIBUO("tribuo", "model.tribuo", ".tribuo");

  private final String label;
  private final String fileName;
  private final String suffix;

  ModelFormat(String label, String fileName, String suffix) {
    this.label = label;
    this.fileName = fileName;
    this.suffix = suffix;
  }

  /** As run records and {@code models versions} name it. */
  public String label() {
    return label;
  }

  /** The model's file in a registry version's directory. */
  public String fileName() {
    return fileName;
  }

  /** The file-name ending that marks this format on the command line. */
  public String suffix() {
    return suffix;
  }

  /**
   * The format named {@code label}.
   *
   * @throws IllegalArgumentException listing the formats there are
   */
  public static ModelFormat ofLabel(String label) {
    for (ModelFormat f : values()) {
      if (f.label.equals(label)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown model format '" + label + "'; this build knows " + labels());
  }

  /**
   * The format of a model file given on the command line, by its ending: {@code .onnx}, {@code
   * .tribuo}, and anything else our JSON artifact (as before any other format existed).
   */
  public static ModelFormat ofPath(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    for (ModelFormat f : values()) {
      if (f != LINEAR && name.endsWith(f.suffix)) {
        return f;
      }
    }
    return LINEAR;
  }

  /** {@code linear, onnx, tribuo}. */
  public static String labels() {
    return Arrays.stream(values()).map(ModelFormat::label).collect(Collectors.joining(", "));
  }

  /**
   * Loads a model file of this format under the name and version it gives itself. A model holding
   * native resources (ONNX) is the caller's to close.
   *
   * @throws ModelFormatException naming the file when it is not a valid model of this format
   */
  public ServableModel load(Path file) throws IOException {
    return switch (this) {
      case LINEAR -> ModelArtifact.read(file);
      case ONNX -> OnnxModel.load(file);
      case TRIBUO -> TribuoModel.load(file, null, null);
    };
  }

  /**
   * Loads a model file of this format served as {@code name:version}, as the registry serves its
   * versions. ONNX and Tribuo files take the name given; our JSON artifact must already carry it
   * (the registry writes it so), else the file was changed by hand.
   *
   * @throws ModelFormatException naming the file when it is not a valid model of this format, or an
   *     artifact that names another model
   */
  public ServableModel load(Path file, String name, String version) throws IOException {
    return load(file, name, version, null, null);
  }

  /**
   * Loads a model file served as {@code name:version} reading {@code features} (in order) and
   * predicting {@code target}, as a registry version's run record describes it. An ONNX graph has
   * no column names of its own beyond optional metadata, so it takes these; the other formats name
   * their columns and must agree. {@code features} and {@code target} may be null: the file's own.
   *
   * @throws ModelFormatException naming the file when it is not a valid model of this format, or
   *     does not agree with the names given
   */
  public ServableModel load(
      Path file, String name, String version, List<String> features, String target)
      throws IOException {
    ServableModel model =
        switch (this) {
          case LINEAR -> {
            LinearModel linear = ModelArtifact.read(file);
            if (!linear.name().equals(name) || !linear.version().equals(version)) {
              throw new ModelFormatException(
                  "model artifact %s holds model %s, not %s:%s; registry versions are written only by 'mlqueue train --register'"
                      .formatted(file, linear.id(), name, version));
            }
            yield linear;
          }
          case ONNX -> OnnxModel.load(file, name, version, features, target);
          case TRIBUO -> TribuoModel.load(file, name, version);
        };
    boolean agrees =
        (features == null || features.equals(model.featureNames()))
            && (target == null || target.equals(model.targetName()));
    if (!agrees) {
      model.close();
      throw new ModelFormatException(
          "%s reads %s and predicts '%s', but its record says %s and '%s'"
              .formatted(file, model.featureNames(), model.targetName(), features, target));
    }
    return model;
  }

  /**
   * Writes a model trained here to {@code file} in this format: {@link LinearModel} as our JSON
   * artifact, {@link TribuoModel} as Tribuo's protobuf; both replace the file in one rename.
   *
   * @throws IllegalArgumentException if {@code model} is not one this format writes (an ONNX file
   *     is copied, not written)
   */
  public void write(ServableModel model, Path file) throws IOException {
    switch (this) {
      case LINEAR -> {
        if (!(model instanceof LinearModel linear)) {
          throw cannotWrite(model);
        }
        ModelArtifact.write(linear, file);
      }
      case TRIBUO -> {
        if (!(model instanceof TribuoModel tribuo)) {
          throw cannotWrite(model);
        }
        tribuo.save(file);
      }
      case ONNX -> throw cannotWrite(model);
    }
  }

  /** The format {@link #write} writes {@code model} in. */
  public static ModelFormat of(ServableModel model) {
    return switch (model) {
      case LinearModel m -> LINEAR;
      case TribuoModel m -> TRIBUO;
      case OnnxModel m -> ONNX;
      default -> throw new IllegalArgumentException("no file format for " + model);
    };
  }

  private IllegalArgumentException cannotWrite(ServableModel model) {
    return new IllegalArgumentException("cannot write " + model + " as a " + label + " file");
  }
}
