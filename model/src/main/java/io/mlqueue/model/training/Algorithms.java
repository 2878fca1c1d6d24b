package io.mlqueue.model.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds an {@link Algorithm} from its name and options as text, from the command line ({@code
 * --algo forest --trees 50}) or a params file ({@code algo: forest}, {@code trees: 50}). Option
 * names are snake_case ({@code max_depth}); a dash is read as an underscore, so {@code max-depth}
 * works too. Options an algorithm does not take are refused rather than ignored: a typo would
 * otherwise train with a default nobody asked for.
 */
public final class Algorithms {

  /** The names {@code --algo} accepts, in the order the help lists them. */
  public static final List<String> NAMES = List.of("ols", "ridge", "tree", "forest", "gbt");

  /** The option names each algorithm takes. */
  private static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "ols", Set.of(),
          "ridge", Set.of("penalty"),
          "tree", Set.of("max_depth"),
          "forest", Set.of("trees", "max_depth", "seed"),
          "gbt", Set.of("trees", "max_depth", "learning_rate", "seed"));

  /** The seed of forests and boosted trees when none is given. */
  public static final long DEFAULT_SEED = 1;

  private Algorithms() {}

  /**
   * The algorithm {@code name} with {@code options} (snake_case or dashed names, values as text);
   * options not given take their defaults.
   *
   * @throws IllegalArgumentException naming the algorithm or the option that is wrong, and what
   *     would be right
   */
  public static Algorithm parse(String name, Map<String, String> options) {
    String algo = name == null ? "ols" : name.strip().toLowerCase(Locale.ROOT);
    Set<String> allowed = OPTIONS.get(algo);
    if (allowed == null) {
      throw new IllegalArgumentException(
          "--algo '" + name + "' is not one of " + String.join(", ", NAMES));
    }
    Map<String, String> given = new LinkedHashMap<>();
    options.forEach((k, v) -> given.put(k.strip().replace('-', '_'), v));
    Set<String> unknown = new TreeSet<>(given.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "option(s) %s do not apply to --algo %s (%s)"
              .formatted(
                  unknown.stream().map(Algorithms::option).toList(),
                  algo,
                  allowed.isEmpty()
                      ? "it takes none"
                      : "it takes "
                          + new TreeSet<>(allowed).stream().map(Algorithms::option).toList()));
    }
    Options o = new Options(given);
    return switch (algo) {
      case "ols" -> new Algorithm.Ols();
      case "ridge" -> new Algorithm.Ridge(o.decimal("penalty", Algorithm.Ridge.DEFAULT_PENALTY));
      case "tree" -> new Algorithm.Tree(o.whole("max_depth", Algorithm.Tree.DEFAULT_MAX_DEPTH));
      case "forest" ->
          new Algorithm.Forest(
              o.whole("trees", Algorithm.Forest.DEFAULT_TREES),
              o.whole("max_depth", Algorithm.Forest.DEFAULT_MAX_DEPTH),
              o.seed());
      case "gbt" ->
          new Algorithm.Gbt(
              o.whole("trees", Algorithm.Gbt.DEFAULT_TREES),
              o.whole("max_depth", Algorithm.Gbt.DEFAULT_MAX_DEPTH),
              o.decimal("learning_rate", Algorithm.Gbt.DEFAULT_LEARNING_RATE),
              o.seed());
      default -> throw new IllegalStateException("no builder for " + algo);
    };
  }

  /** {@code --max-depth}, as the command line spells {@code max_depth}. */
  static String option(String snake) {
    return "--" + snake.replace('_', '-');
  }

  private record Options(Map<String, String> given) {
    int whole(String key, int fallback) {
      String v = given.get(key);
      if (v == null) {
        return fallback;
      }
      try {
        return Integer.parseInt(v.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            option(key) + " must be a whole number, was '" + v + "'", e);
      }
    }

    double decimal(String key, double fallback) {
      String v = given.get(key);
      if (v == null) {
        return fallback;
      }
      try {
        return Double.parseDouble(v.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option(key) + " must be a number, was '" + v + "'", e);
      }
    }

    long seed() {
      String v = given.get("seed");
      if (v == null) {
        return DEFAULT_SEED;
      }
      try {
        return Long.parseLong(v.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--seed must be a whole number, was '" + v + "'", e);
      }
    }
  }
}
