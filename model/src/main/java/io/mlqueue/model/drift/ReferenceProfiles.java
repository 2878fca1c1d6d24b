package io.mlqueue.model.drift;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/** Where a model's reference profile comes from: made from data, or read from the registry. */
public final class ReferenceProfiles {
  private ReferenceProfiles() {}

  /**
   * The profile of {@code data} (its columns taken in the model's feature order), of {@code
   * model}'s predictions on it and of their absolute errors.
   *
   * @throws IllegalArgumentException if the data lacks one of the model's features
   */
  public static ReferenceProfile of(Dataset data, ServableModel model) {
    double[][] rows = inModelOrder(data, model);
    double[] predictions = new double[rows.length];
    model.predictBatch(rows, predictions);
    return ReferenceProfile.of(model.featureNames(), rows, predictions, data.targets());
  }

  /** The data's rows with the model's features in the model's order. */
  public static double[][] inModelOrder(Dataset data, ServableModel model) {
    int[] index = new int[model.featureCount()];
    for (int j = 0; j < index.length; j++) {
      index[j] = data.featureNames().indexOf(model.featureNames().get(j));
      if (index[j] < 0) {
        throw new IllegalArgumentException(
            data.name()
                + " has no column '"
                + model.featureNames().get(j)
                + "' that model "
                + model.id()
                + " reads");
      }
    }
    double[][] rows = new double[data.size()][index.length];
    for (int i = 0; i < rows.length; i++) {
      double[] src = data.features(i);
      for (int j = 0; j < index.length; j++) {
        rows[i][j] = src[index[j]];
      }
    }
    return rows;
  }

  /** The built-in model's profile, of the bundled diabetes data; made once per process. */
  public static ReferenceProfile builtIn() {
    return BuiltInHolder.PROFILE;
  }

  private static final class BuiltInHolder {
    static final ReferenceProfile PROFILE = of(Dataset.builtIn(), BuiltInModel.get());
  }

  /**
   * The profile of a served model: the built-in model's own, a registry version's stored one, else
   * one made from {@code fallbackData} when given. Empty when none of these applies.
   */
  public static Optional<ReferenceProfile> find(
      ServableModel model, Optional<ModelRegistry> registry, Optional<Dataset> fallbackData) {
    if (model.name().equals(BuiltInModel.NAME) && model.version().equals(BuiltInModel.VERSION)) {
      return Optional.of(builtIn());
    }
    if (registry.isPresent() && model.version().matches("[1-9][0-9]{0,8}")) {
      try {
        Optional<Path> file =
            registry
                .get()
                .extraFile(model.name(), Integer.parseInt(model.version()), ProfileFile.FILE_NAME);
        if (file.isPresent()) {
          return Optional.of(ProfileFile.read(file.get()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return fallbackData.map(d -> of(d, model));
  }
}
