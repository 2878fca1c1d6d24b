package io.mlqueue.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.mlqueue.contract.Queues;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the queues a service uses, and each one's dead-letter queue, after checking what the
 * broker already has.
 *
 * <p>Dead letters are published explicitly by the service (see {@link Inbound#deadLetter}) rather
 * than by broker-side dead-lettering: that carries the reason in words, and it works the same on
 * RabbitMQ and on the embedded Qpid broker, whose dead-lettering arguments differ. So the pipeline
 * queues need no arguments, and a durable declare on either broker is the same declare.
 *
 * <p>A queue may already exist with other properties: declared by the other mode ({@code --compat
 * course} or the course's own services declare the pipeline non-durable), by an operator, or with
 * another {@code --queue-type}. RabbitMQ refuses such a declare by closing the channel, which the
 * client would report as a bare {@code IOException}. So each queue is first probed on a scratch
 * channel ({@link QueueProbe}); a queue that is safe to use as it is is then declared as it is (so
 * that connection recovery declares it the same way), with one WARN line saying what guarantee is
 * weaker and how to get the full one; otherwise the service stops with one line naming the queue,
 * what differs and the fix ({@link QueueConflicts}).
 */
public final class Topology {
  private static final Logger log = LoggerFactory.getLogger(Topology.class);

  private Topology() {}

  /**
   * Declares {@code queues} as {@code settings} want them (or as they are, where that is safe),
   * plus their durable dead-letter queues, and checks that the user may publish.
   *
   * @throws BrokerRefusedException when a queue cannot be used as it is, or a permission is missing
   */
  public static void declare(
      Channel channel, AmqpSettings settings, String service, String... queues) throws IOException {
    for (String queue : queues) {
      declare(channel, settings, service, queue, QueueShape.wanted(settings, false));
      declare(
          channel,
          settings,
          service,
          Queues.deadLetterQueue(queue),
          QueueShape.wanted(settings, true));
    }
    checkPublishPermission(channel.getConnection(), settings, service);
  }

  private static void declare(
      Channel channel, AmqpSettings settings, String service, String queue, QueueShape wanted)
      throws IOException {
    QueueShape shape =
        switch (QueueProbe.probe(channel.getConnection(), queue, wanted)) {
          case QueueProbe.Matches m -> wanted;
          case QueueProbe.Differs d -> {
            QueueConflicts.Verdict verdict = QueueConflicts.judge(queue, d.differences(), settings);
            String message = verdict.message(service, settings);
            if (!verdict.usable()) {
              throw new BrokerRefusedException(message);
            }
            if (!message.isEmpty()) {
              log.warn(message);
            }
            yield d.existing();
          }
          case QueueProbe.Refused r ->
              throw new BrokerRefusedException(refused(service, settings, queue, r.reply()));
        };
    shape.declare(channel, queue);
  }

  /** One line for a declare the broker refused other than for differing properties. */
  static String refused(String service, AmqpSettings settings, String queue, BrokerReply reply) {
    String vhost = settings.vhost();
    String where = service + ": queue '" + queue + "' on virtual host '" + vhost + "'";
    if (reply.code() == BrokerReply.RESOURCE_LOCKED) {
      return where
          + " is exclusive to another connection (a program declared it exclusive; it goes"
          + " when that program's connection closes). Fix: stop that program (`rabbitmqctl -p "
          + vhost
          + " list_queues name owner_pid` and `rabbitmqctl list_connections pid name` show"
          + " which), or use another virtual host";
    }
    if (reply.refusal("configure").isPresent()) {
      return service + ": " + reply.refusal("configure").get().explain();
    }
    return where
        + " was refused by the broker: "
        + reply.detail()
        + " (reply "
        + reply.code()
        + "). Fix: stop every service that uses it and run `rabbitmqctl -p "
        + vhost
        + " delete_queue "
        + queue
        + "` (the messages in it go with it), or use another virtual host";
  }

  /**
   * Publishes an empty message that no queue receives (routing key "" on the default exchange) on a
   * scratch channel, then waits for an answer on it: without write permission on the default
   * exchange RabbitMQ closes the channel, which says so now rather than at the first real publish,
   * where the channel's loss would only show as failed confirms.
   */
  private static void checkPublishPermission(
      Connection connection, AmqpSettings settings, String service) throws IOException {
    Channel scratch = connection.createChannel();
    try {
      scratch.basicPublish("", "", null, new byte[0]);
      scratch.basicQos(0); // a round trip: the broker handled the publish before answering it
      scratch.close();
    } catch (IOException | ShutdownSignalException e) {
      // The broker closes the channel for the publish. The client hears of it either while it
      // waits for the qos answer (an IOException) or before it sends the qos or the close (an
      // AlreadyClosedException): both carry the broker's reply. Seen as a flaky exit 1 in CI.
      BrokerReply reply = BrokerReply.of(e).orElse(null);
      if (reply == null) {
        throw e;
      }
      throw new BrokerRefusedException(
          reply
              .refusal("write")
              .map(r -> service + ": " + r.explain())
              .orElse(
                  service
                      + ": the broker refused a publish on virtual host '"
                      + settings.vhost()
                      + "': "
                      + reply.detail()));
    } catch (TimeoutException e) {
      // closing a scratch channel timed out: the check itself passed
    }
  }

  /**
   * {@code x-queue-type: quorum} for quorum queues, nothing for classic ones (a classic declare
   * without the argument is accepted by every broker; the embedded Qpid ignores it either way).
   */
  static Map<String, Object> arguments(AmqpSettings settings) {
    return settings.queueType() == QueueType.QUORUM ? Map.of("x-queue-type", "quorum") : Map.of();
  }
}
