package io.mlqueue.amqp;

/** Header names a dead letter carries; the original body and properties are kept as they were. */
public final class DeadLetters {
  /** Why the message was dead-lettered, in words. */
  public static final String REASON = "x-mlqueue-reason";

  /** The queue it was consumed from. */
  public static final String SOURCE_QUEUE = "x-mlqueue-source-queue";

  /** The service that dead-lettered it. */
  public static final String SERVICE = "x-mlqueue-service";

  /** When, in epoch milliseconds. */
  public static final String AT = "x-mlqueue-dead-lettered-at";

  private DeadLetters() {}
}
