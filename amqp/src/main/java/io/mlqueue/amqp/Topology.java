package io.mlqueue.amqp;

import com.rabbitmq.client.Channel;
import io.mlqueue.contract.Queues;
import java.io.IOException;
import java.util.Map;

/**
 * Declares the queues a service uses, and each one's dead-letter queue.
 *
 * <p>Dead letters are published explicitly by the service (see {@link DeadLetterer}) rather than by
 * broker-side dead-lettering: that carries the reason in words, and it works the same on RabbitMQ and
 * on the embedded Qpid broker, whose dead-lettering arguments differ. So the pipeline queues need no
 * arguments, and a durable declare on either broker is the same declare.
 */
public final class Topology {
  private Topology() {}

  /** Declares {@code queues} in {@code mode}, plus their durable dead-letter queues. */
  public static void declare(Channel channel, TopologyMode mode, String... queues)
      throws IOException {
    for (String queue : queues) {
      declareQueue(channel, mode, queue);
      declareDeadLetterQueue(channel, queue);
    }
  }

  /** Declares one pipeline queue as {@code mode} wants it. */
  public static void declareQueue(Channel channel, TopologyMode mode, String queue)
      throws IOException {
    boolean durable = mode == TopologyMode.DURABLE;
    channel.queueDeclare(queue, durable, false, false, Map.of());
  }

  /**
   * The dead-letter queue of {@code queue}: always durable, also in course mode, since the course's
   * services never touch it and a dead letter is worth keeping.
   */
  public static void declareDeadLetterQueue(Channel channel, String queue) throws IOException {
    channel.queueDeclare(Queues.deadLetterQueue(queue), true, false, false, Map.of());
  }
}
