package io.mlqueue.amqp;

import java.util.Locale;

/** How the pipeline's queues are declared. */
public enum TopologyMode {
  /** Durable queues and persistent messages: what survives a broker restart. The default. */
  DURABLE,
  /**
   * Queues declared exactly as the course's Python code declares them ({@code
   * queue_declare(queue=NAME)}: non-durable, no arguments), so the course's services and ours can
   * share a broker in any start order. RabbitMQ refuses a re-declare with other flags, hence the
   * mode.
   */
  COURSE;

  /**
   * Parses the value of {@code --compat}: {@code course}, or {@code none} for the durable default.
   */
  public static TopologyMode fromCompat(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "course" -> COURSE;
      case "none", "durable", "" -> DURABLE;
      default ->
          throw new IllegalArgumentException(
              "unknown --compat value '" + value + "': use 'course' or 'none'");
    };
  }
}
