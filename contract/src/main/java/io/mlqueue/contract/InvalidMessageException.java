package io.mlqueue.contract;

/**
 * A message body that does not follow the contract. The message names the problem in words a person
 * can act on; it becomes the dead letter's reason.
 */
public final class InvalidMessageException extends Exception {
  public InvalidMessageException(String reason) {
    super(reason);
  }

  public InvalidMessageException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
