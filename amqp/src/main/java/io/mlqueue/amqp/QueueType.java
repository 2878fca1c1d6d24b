package io.mlqueue.amqp;

import java.util.Locale;

/** The kind of queue the durable topology declares. */
public enum QueueType {
  /** A classic queue: one node holds it. The default, and what a single broker needs. */
  CLASSIC,
  /**
   * A quorum queue (RabbitMQ 3.8+): replicated over the cluster's nodes by Raft, so losing the node
   * that leads it loses nothing. For a clustered broker.
   */
  QUORUM;

  /** Parses the value of {@code --queue-type}. */
  public static QueueType parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "classic" -> CLASSIC;
      case "quorum" -> QUORUM;
      default ->
          throw new IllegalArgumentException(
              "unknown --queue-type '" + value + "': use 'classic' or 'quorum'");
    };
  }
}
