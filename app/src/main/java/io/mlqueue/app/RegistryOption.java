package io.mlqueue.app;

import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --registry DIR}: where registered models, their runs and aliases live. */
final class RegistryOption {
  @Option(
      names = "--registry",
      paramLabel = "DIR",
      defaultValue = "registry",
      description = "The model registry's directory (default: ${DEFAULT-VALUE}).")
  Path dir;

  ModelRegistry open() {
    return new ModelRegistry(dir);
  }
}
