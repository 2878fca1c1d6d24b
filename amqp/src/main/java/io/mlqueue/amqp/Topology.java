package io.mlqueue.amqp;

import com.rabbitmq.client.Channel;
import io.mlqueue.contract.Queues;
import java.io.IOException;
import java.util.Map;

/**
 * Declares the queues a service uses, and each one's dead-letter queue.
 *
 * <p>Dead letters are published explicitly by the service (see {@link Inbound#deadLetter}) rather than by
 * broker-side dead-lettering: that carries the reason in words, and it works the same on RabbitMQ and
 * on the embedded Qpid broker, whose dead-lettering arguments differ. So the pipeline queues need no
 * arguments, and a durable declare on either broker is the same declare.
 */
public final class Topology {
  private Topology() {}

  /** Declares {@code queues} as {@code settings} want them, plus their durable dead-letter queues. */
  public static void declare(Channel channel, AmqpSettings settings, String... queues)
      throws IOException {
    for (String queue : queues) {
      declareQueue(channel, settings, queue);
      declareDeadLetterQueue(channel, settings, queue);
    }
  }

  /** Declares one pipeline queue as {@code settings} want it. */
  public static void declareQueue(Channel channel, AmqpSettings settings, String queue)
      throws IOException {
    boolean durable = settings.mode() == TopologyMode.DURABLE;
    channel.queueDeclare(queue, durable, false, false, arguments(settings));
  }

  /**
   * The dead-letter queue of {@code queue}: always durable, also in course mode, since the course's
   * services never touch it and a dead letter is worth keeping.
   */
  public static void declareDeadLetterQueue(Channel channel, AmqpSettings settings, String queue)
      throws IOException {
    channel.queueDeclare(Queues.deadLetterQueue(queue), true, false, false, arguments(settings));
  }

  /**
   * {@code x-queue-type: quorum} for quorum queues, nothing for classic ones (a classic declare
   * without the argument is accepted by every broker; the embedded Qpid ignores it either way).
   */
  static Map<String, Object> arguments(AmqpSettings settings) {
    return settings.queueType() == QueueType.QUORUM
        ? Map.of("x-queue-type", "quorum")
        : Map.of();
  }
}
