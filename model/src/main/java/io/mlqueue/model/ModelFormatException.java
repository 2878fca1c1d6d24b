package io.mlqueue.model;

/**
 * A model artifact that cannot be used: not JSON, another format or format version, missing or
 * mistyped fields, lengths that disagree, numbers that are not finite. The message says which, in
 * words an operator can act on.
 */
public class ModelFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
