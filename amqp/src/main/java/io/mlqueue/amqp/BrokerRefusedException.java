package io.mlqueue.amqp;

/**
 * The broker is reachable but refuses what this service needs: a queue that exists with properties
 * it cannot use, a queue another connection holds exclusively, a permission the user lacks. Waiting
 * does not help; the message names what, and the fix.
 */
public final class BrokerRefusedException extends RuntimeException {
  public BrokerRefusedException(String message) {
    super(message);
  }

  public BrokerRefusedException(String message, Throwable cause) {
    super(message, cause);
  }
}
