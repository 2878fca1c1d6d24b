package io.mlqueue.model;

import io.mlqueue.data.Dataset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks at start-up that a model fits the data it will be fed. Features travel as bare arrays, so
 * a model and data that disagree on columns or their order would give wrong predictions silently;
 * this says what differs instead.
 */
public final class ModelCompatibility {

  private ModelCompatibility() {}

  /**
   * What keeps {@code model} from reading rows with columns {@code dataFeatures}, or empty when the
   * names agree exactly, order included.
   */
  public static Optional<String> mismatch(ServableModel model, List<String> dataFeatures) {
    List<String> expected = model.featureNames();
    if (expected.equals(dataFeatures)) {
      return Optional.empty();
    }
    String prefix = "model " + model.id() + " does not match the data: ";
    Set<String> duplicates = duplicates(dataFeatures);
    if (!duplicates.isEmpty()) {
      return Optional.of(prefix + "the data has column(s) " + duplicates + " more than once");
    }
    List<String> problems = new ArrayList<>(2);
    List<String> missing = minus(expected, dataFeatures);
    if (!missing.isEmpty()) {
      problems.add("the data lacks column(s) " + missing + " that the model needs");
    }
    List<String> extra = minus(dataFeatures, expected);
    if (!extra.isEmpty()) {
      problems.add("the data has column(s) " + extra + " that the model does not use");
    }
    if (problems.isEmpty()) {
      int i = 0;
      while (expected.get(i).equals(dataFeatures.get(i))) {
        i++;
      }
      return Optional.of(
          prefix
              + ("same columns in a different order; the model expects %s but the data has %s"
                      + " (first difference at position %d: model '%s', data '%s')")
                  .formatted(expected, dataFeatures, i, expected.get(i), dataFeatures.get(i)));
    }
    return Optional.of(
        prefix
            + String.join("; ", problems)
            + " (model expects %s, data has %s)".formatted(expected, dataFeatures));
  }

  /**
   * Like {@link #mismatch(ServableModel, List)} for a data set's features, and also reports a
   * different target column.
   */
  public static Optional<String> mismatch(ServableModel model, Dataset data) {
    Optional<String> features = mismatch(model, data.featureNames());
    if (model.targetName().equals(data.targetName())) {
      return features;
    }
    String target =
        "the model predicts '%s' but the data's target is '%s'"
            .formatted(model.targetName(), data.targetName());
    return Optional.of(
        features
            .map(m -> m + "; " + target)
            .orElse("model " + model.id() + " does not match the data: " + target));
  }

  /**
   * Throws when {@code model} cannot read rows with columns {@code dataFeatures}.
   *
   * @throws IllegalArgumentException with the {@link #mismatch(ServableModel, List)} message
   */
  public static void require(ServableModel model, List<String> dataFeatures) {
    mismatch(model, dataFeatures)
        .ifPresent(
            m -> {
              throw new IllegalArgumentException(m);
            });
  }

  private static List<String> minus(List<String> a, List<String> b) {
    Set<String> other = new HashSet<>(b);
    return a.stream().filter(x -> !other.contains(x)).toList();
  }

  private static Set<String> duplicates(List<String> names) {
    Set<String> seen = new HashSet<>();
    Set<String> dups = new LinkedHashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        dups.add(n);
      }
    }
    return dups;
  }
}
