package io.mlqueue.app;

import io.mlqueue.model.registry.ModelReference;
import io.mlqueue.model.registry.ModelRegistry;
import java.io.IOException;
import java.util.OptionalInt;

/**
 * A registry version named on the command line: {@code NAME:VERSION}, {@code NAME@ALIAS} (the
 * version the alias points at now), or either with the {@code registry:} prefix {@code --model}
 * takes.
 *
 * @param name the model name
 * @param version the version number
 */
record VersionArgument(String name, int version) {

  /**
   * Resolves {@code spec} in {@code registry}.
   *
   * @throws IllegalArgumentException naming the forms, or the alias that is not set
   */
  static VersionArgument resolve(ModelRegistry registry, String spec) throws IOException {
    String full = ModelReference.isReference(spec) ? spec : ModelReference.PREFIX + spec;
    ModelReference ref;
    try {
      ref = ModelReference.parse(full);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'"
              + spec
              + "' names no version; write NAME:VERSION (diabetes:3) or NAME@ALIAS"
              + " (diabetes@production)",
          e);
    }
    if (ref.followedAlias().isEmpty()) {
      registry.run(ref.name(), ref.version()); // says which versions exist when this one does not
      return new VersionArgument(ref.name(), ref.version());
    }
    OptionalInt v = registry.alias(ref.name(), ref.alias());
    if (v.isEmpty()) {
      throw new IllegalArgumentException(
          "model '%s' has no alias '%s' in the registry %s"
              .formatted(ref.name(), ref.alias(), registry.root()));
    }
    return new VersionArgument(ref.name(), v.getAsInt());
  }

  @Override
  public String toString() {
    return name + ":" + version;
  }
}
