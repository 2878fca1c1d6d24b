package io.mlqueue.model.registry;

import java.util.Optional;

/**
 * A model named in the registry: {@code registry:NAME@ALIAS}, which follows the alias as it moves,
 * or {@code registry:NAME:VERSION}, one version for good.
 *
 * @param name the model name
 * @param alias the alias to follow, or {@code null} for a pinned version
 * @param version the pinned version, or 0 when following an alias
 */
public record ModelReference(String name, String alias, int version) {

  /** What starts a registry reference, as opposed to an artifact's path. */
  public static final String PREFIX = "registry:";

  public ModelReference {
    ModelRegistry.checkName(name);
    if ((alias == null) == (version == 0)) {
      throw new IllegalArgumentException("a registry reference names an alias or a version");
    }
    if (alias != null) {
      ModelRegistry.checkAlias(alias);
    }
  }

  /** Whether {@code spec} is a registry reference rather than a file. */
  public static boolean isReference(String spec) {
    return spec.startsWith(PREFIX);
  }

  /**
   * Parses {@code registry:NAME@ALIAS} or {@code registry:NAME:VERSION}.
   *
   * @throws IllegalArgumentException saying the two forms
   */
  public static ModelReference parse(String spec) {
    String forms = "; write registry:NAME@ALIAS (follows the alias) or registry:NAME:VERSION";
    if (!isReference(spec)) {
      throw new IllegalArgumentException("'" + spec + "' is not a registry reference" + forms);
    }
    String rest = spec.substring(PREFIX.length());
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      return new ModelReference(rest.substring(0, at), rest.substring(at + 1), 0);
    }
    int colon = rest.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("'" + spec + "' names no alias or version" + forms);
    }
    String version = rest.substring(colon + 1);
    if (!version.matches("[1-9][0-9]{0,8}")) {
      throw new IllegalArgumentException(
          "'" + spec + "': version '" + version + "' is not a number from 1" + forms);
    }
    return new ModelReference(rest.substring(0, colon), null, Integer.parseInt(version));
  }

  public Optional<String> followedAlias() {
    return Optional.ofNullable(alias);
  }

  @Override
  public String toString() {
    return PREFIX + name + (alias != null ? "@" + alias : ":" + version);
  }
}
