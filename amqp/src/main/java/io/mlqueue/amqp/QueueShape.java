package io.mlqueue.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The properties a queue is declared with: what RabbitMQ compares when a queue is declared again,
 * and refuses with 406 PRECONDITION_FAILED when they differ. Never exclusive: every mlqueue queue
 * is shared.
 *
 * @param durable whether the queue survives a broker restart
 * @param autoDelete whether the broker deletes it when its last consumer goes
 * @param arguments the {@code x-…} arguments, e.g. {@code x-queue-type: quorum}
 */
public record QueueShape(boolean durable, boolean autoDelete, Map<String, Object> arguments) {
  public QueueShape {
    arguments = Map.copyOf(arguments);
  }

  /** The shape {@code settings} want for a pipeline queue or a dead-letter queue. */
  static QueueShape wanted(AmqpSettings settings, boolean deadLetterQueue) {
    boolean durable = deadLetterQueue || settings.mode() == TopologyMode.DURABLE;
    return new QueueShape(durable, false, Topology.arguments(settings));
  }

  /** Declares {@code queue} with this shape on {@code channel}. */
  void declare(Channel channel, String queue) throws IOException {
    channel.queueDeclare(queue, durable, false, autoDelete, arguments);
  }

  /** This shape with {@code key} (a flag or an argument) set to {@code value}; empty removes it. */
  QueueShape with(String key, Optional<Object> value) {
    switch (key) {
      case "durable" -> {
        return new QueueShape(Boolean.TRUE.equals(value.orElse(false)), autoDelete, arguments);
      }
      case "auto_delete" -> {
        return new QueueShape(durable, Boolean.TRUE.equals(value.orElse(false)), arguments);
      }
      default -> {
        Map<String, Object> changed = new LinkedHashMap<>(arguments);
        value.ifPresentOrElse(v -> changed.put(key, v), () -> changed.remove(key));
        return new QueueShape(durable, autoDelete, changed);
      }
    }
  }

  /**
   * The value of {@code key} in this shape, as a person reads it: {@code true}, {@code quorum},
   * {@code none}.
   */
  String valueOf(String key) {
    return switch (key) {
      case "durable" -> String.valueOf(durable);
      case "auto_delete" -> String.valueOf(autoDelete);
      default -> arguments.containsKey(key) ? String.valueOf(arguments.get(key)) : "none";
    };
  }
}
