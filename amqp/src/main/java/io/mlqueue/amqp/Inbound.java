package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import io.mlqueue.contract.Queues;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A delivery that must be settled exactly once: acked after its side effect, requeued, or
 * dead-lettered with a reason. A second settlement is ignored — acking a delivery tag twice would
 * make the broker close the channel.
 *
 * <p>If the channel has gone down in the meantime, settling does nothing: the broker redelivers the
 * message on the recovered channel, which is why every consumer is idempotent on the message id.
 */
public final class Inbound {
  private static final Logger log = LoggerFactory.getLogger(Inbound.class);

  private final DeliveryAcks acks;
  private final ConfirmedPublisher publisher;
  private final String service;
  private final String queue;
  private final Envelope envelope;
  private final AMQP.BasicProperties properties;
  private final byte[] body;
  private final MessageSpan trace;
  private final AtomicBoolean settled = new AtomicBoolean();

  Inbound(
      DeliveryAcks acks,
      ConfirmedPublisher publisher,
      String service,
      String queue,
      Envelope envelope,
      AMQP.BasicProperties properties,
      byte[] body,
      MessageSpan trace) {
    this.acks = acks;
    this.publisher = publisher;
    this.service = service;
    this.queue = queue;
    this.envelope = envelope;
    this.properties = properties;
    this.body = body;
    this.trace = trace;
  }

  /** The queue it was consumed from. */
  public String queue() {
    return queue;
  }

  public byte[] body() {
    return body;
  }

  public AMQP.BasicProperties properties() {
    return properties;
  }

  /**
   * Names this message in its trace and in the log lines written while it is handled ({@code
   * messaging.message.id}, MDC {@code message_id}); does nothing when tracing is off.
   *
   * @param messageId the mlqueue id of the message, its first row's for a bulk message
   * @param rows the rows it carries
   */
  public void identify(String messageId, int rows) {
    trace.identify(messageId, rows);
  }

  /** Whether it was acked, requeued or dead-lettered already. */
  boolean isSettled() {
    return settled.get();
  }

  /** Whether the broker delivered it before (to us or to a consumer that died). */
  public boolean redelivered() {
    return envelope.isRedeliver();
  }

  /**
   * Acknowledges: the broker forgets the message. Call only after its side effect is done. The ack
   * frame may cover several messages: it goes out when this thread's {@linkplain
   * DeliveryAcks#batch() batch} ends, or at once outside one.
   */
  public void ack() {
    if (settled.compareAndSet(false, true)) {
      acks.settle(envelope.getDeliveryTag());
    }
  }

  /** Gives the message back to the queue, for this or another consumer to try again. */
  public void requeue() {
    if (settled.compareAndSet(false, true)) {
      acks.nack(envelope.getDeliveryTag(), true);
    }
  }

  /**
   * Publishes {@code outBody} to {@code outQueue} and acks this message once the broker has
   * confirmed it; requeues this message if the publish fails. The output and the ack cannot both be
   * lost.
   */
  public void publishThenAck(String outQueue, AMQP.BasicProperties outProperties, byte[] outBody) {
    publish(outQueue, outProperties, outBody, ackOnConfirm());
  }

  /**
   * Publishes {@code outBody}, an output of this message, to {@code outQueue}: in this message's
   * trace (under its consumer span, with its id and rows), even from another thread; {@code
   * outcome} hears whether the broker took it. This message is not settled: the caller decides.
   */
  public void publish(
      String outQueue, AMQP.BasicProperties outProperties, byte[] outBody, Outcome outcome) {
    if (trace == MessageSpan.NONE) {
      publisher.publish(outQueue, outProperties, outBody, outcome);
      return;
    }
    // A reply goes to the queue its request named: a temporary one, as the conventions see it.
    boolean reply = outQueue.equals(properties.getReplyTo());
    publisher.publish(
        outQueue,
        outProperties,
        outBody,
        outcome,
        publisher
            .tracer()
            .startPublish(outQueue, reply, trace.context(), trace.messageId(), trace.rows()));
  }

  /** An outcome that acks this message when confirmed and requeues it when failed. */
  public Outcome ackOnConfirm() {
    return new Outcome() {
      @Override
      public void confirmed() {
        ack();
      }

      @Override
      public void failed(String reason) {
        log.warn("{}: publish for a message of {} failed ({}); requeued", service, queue, reason);
        requeue();
      }
    };
  }

  /**
   * Moves the message to its queue's dead-letter queue with {@code reason} in a header, body and
   * properties unchanged, then acks it once the dead letter is confirmed.
   */
  public void deadLetter(String reason) {
    log.warn("{}: dead-lettered a message of {}: {}", service, queue, reason);
    publishDeadLetter(body, reason, ackOnConfirm());
  }

  /**
   * Publishes {@code deadBody} — this message's body, or part of it (one row of a bulk message) —
   * to the dead-letter queue with this message's properties and {@code reason}; {@code outcome}
   * hears whether the broker took it. This message itself is not settled: the caller decides.
   */
  public void publishDeadLetter(byte[] deadBody, String reason, Outcome outcome) {
    Map<String, Object> headers = new HashMap<>();
    if (properties.getHeaders() != null) {
      headers.putAll(properties.getHeaders());
    }
    headers.put(DeadLetters.REASON, reason);
    headers.put(DeadLetters.SOURCE_QUEUE, queue);
    headers.put(DeadLetters.SERVICE, service);
    headers.put(DeadLetters.AT, System.currentTimeMillis());
    AMQP.BasicProperties dead = properties.builder().headers(headers).deliveryMode(2).build();
    publish(Queues.deadLetterQueue(queue), dead, deadBody, outcome);
  }
}
