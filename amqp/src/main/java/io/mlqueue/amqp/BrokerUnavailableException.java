package io.mlqueue.amqp;

/** The broker could not be reached, or refused us; the message says what to check. */
public final class BrokerUnavailableException extends RuntimeException {
  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
