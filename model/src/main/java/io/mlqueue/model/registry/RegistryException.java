package io.mlqueue.model.registry;

/** The registry's files are not what the registry writes: corrupted, or edited by hand. */
public final class RegistryException extends RuntimeException {
  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
