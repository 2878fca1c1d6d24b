package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel that consumes queues with manual acks and a bounded prefetch, and publishes with
 * confirms on the same channel, so an input can be acked when its output is confirmed. Acks go out
 * batched ({@link DeliveryAcks}): one frame for every run of settled deliveries.
 *
 * <p>The client calls the handler on one thread at a time per channel, in delivery order; a handler
 * may keep an {@link Inbound} and settle it later from another thread.
 *
 * <p>A handler that throws gets its message requeued. A message that keeps failing while others go
 * through is poison ({@link RepeatedFailures}): after {@code --poison-attempts} such failures it is
 * dead-lettered with the exception as the reason, and the consumer moves on at full speed. When
 * failures come in a row (a failing side effect: every message fails), the consumer pauses before
 * each requeue instead, and gives no message up.
 */
public final class QueueConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

  /**
   * Pause before requeueing a message when handling failed for several messages in a row, so a
   * persistent fault does not spin.
   */
  static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);

  /** Handles one delivery; it must settle the message (now or later). */
  @FunctionalInterface
  public interface Handler {
    void onMessage(Inbound message) throws Exception;
  }

  private final String service;
  private final AmqpSettings settings;
  private final Channel channel;
  private final ConfirmedPublisher publisher;
  private final DeliveryAcks acks;
  private final Map<String, Dispatch> consumers = new ConcurrentHashMap<>(); // by queue
  private int consumersStarted; // guarded by this: makes each consumer tag of the channel unique

  private final StartupRetry retry;

  private QueueConsumer(String service, AmqpSettings settings, Channel channel, StartupRetry retry)
      throws IOException {
    this.service = service;
    this.settings = settings;
    this.channel = channel;
    this.retry = retry;
    this.publisher = new ConfirmedPublisher(channel, settings.tracer());
    this.acks = new DeliveryAcks(channel, service);
  }

  /** Opens a channel on {@code connection} with the prefetch of {@code settings}. */
  public static QueueConsumer open(Connection connection, String service, AmqpSettings settings)
      throws IOException {
    // Each step is tried again if the connection goes down under it while the service starts.
    StartupRetry retry = new StartupRetry(service, settings.connectTimeout(), connection::isOpen);
    Channel channel = retry.run("opening a channel", connection::createChannel);
    retry.run(
        "setting the prefetch",
        () -> {
          channel.basicQos(settings.prefetch());
          return null;
        });
    return new QueueConsumer(service, settings, channel, retry);
  }

  /** Declares {@code queues} (and their dead-letter queues) as the settings' mode wants. */
  public QueueConsumer declare(String... queues) throws IOException {
    retry.run(
        "declaring its queues",
        () -> {
          Topology.declare(channel, settings, service, queues);
          return null;
        });
    return this;
  }

  /**
   * Starts consuming {@code queue}; declare it first.
   *
   * @throws BrokerRefusedException when the user may not read the queue
   */
  public QueueConsumer consume(String queue, Handler handler) throws IOException {
    Dispatch dispatch = new Dispatch(queue, handler);
    consumers.put(queue, dispatch);
    retry.run(
        "starting to consume " + queue,
        () -> {
          startConsuming(dispatch);
          return null;
        });
    log.info("{}: consuming {} (prefetch {})", service, queue, settings.prefetch());
    return this;
  }

  /**
   * Lets the consumer of {@code queue} hold {@code prefetch} unacked deliveries from now on. AMQP
   * applies {@code basic.qos} to consumers started after it, so a new consumer takes over from the
   * old one, which is then cancelled; what the old one received stays this channel's to settle.
   * Call it off the channel's delivery thread (it waits for the broker's replies).
   */
  public synchronized void prefetch(String queue, int prefetch) throws IOException {
    Dispatch dispatch = consumers.get(queue);
    String old = dispatch == null ? null : dispatch.tag;
    if (old == null) {
      throw new IllegalStateException(service + " does not consume " + queue);
    }
    channel.basicQos(prefetch);
    startConsuming(dispatch);
    channel.basicCancel(old);
  }

  /** Starts a consumer for {@code dispatch}'s queue, which becomes its current one. */
  private synchronized void startConsuming(Dispatch dispatch) throws IOException {
    String queue = dispatch.queue;
    String wanted = service + "-" + queue + (consumersStarted == 0 ? "" : "-" + consumersStarted);
    consumersStarted++;
    try {
      dispatch.tag = channel.basicConsume(queue, false, wanted, dispatch);
    } catch (IOException e) {
      BrokerReply reply = BrokerReply.of(e).orElseThrow(() -> e);
      throw new BrokerRefusedException(
          reply
              .refusal("read")
              .map(r -> service + ": " + r.explain())
              .orElse(
                  service
                      + ": the broker refused to let it consume queue '"
                      + queue
                      + "' on virtual host '"
                      + settings.vhost()
                      + "': "
                      + reply.detail()),
          e);
    }
  }

  public ConfirmedPublisher publisher() {
    return publisher;
  }

  public Channel channel() {
    return channel;
  }

  /** Ack frames this consumer's channel has sent: each acks one or more deliveries. */
  public long ackFrames() {
    return acks.ackFrames();
  }

  /** Stops new deliveries; messages already delivered can still be settled. */
  public void cancel() {
    for (Dispatch dispatch : consumers.values()) {
      String tag = dispatch.tag;
      dispatch.tag = null;
      if (tag == null) {
        continue;
      }
      try {
        channel.basicCancel(tag);
      } catch (IOException | ShutdownSignalException e) {
        log.debug("{}: cancel of {} failed: {}", service, tag, e.getMessage());
      }
    }
  }

  /**
   * Cancels the consumers, waits up to {@code drain} for outstanding confirms (and so their acks),
   * then closes the channel; the broker requeues whatever is still unacked.
   */
  public void close(Duration drain) throws InterruptedException {
    cancel();
    if (!publisher.awaitPending(drain)) {
      log.warn(
          "{}: {} publishes unconfirmed after {}; their inputs will be redelivered",
          service,
          publisher.pending(),
          drain);
    }
    acks.flushAll(); // what is done must not come back because an unsettled one was in front
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      log.debug("{}: channel close: {}", service, e.getMessage());
    }
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }

  private final class Dispatch extends DefaultConsumer {
    private final String queue;
    private final Handler handler;
    volatile String tag; // the consumer of the queue now; null once cancelled
    // Deliveries of one channel are handled one at a time, so these need no lock.
    private final RepeatedFailures failures = new RepeatedFailures(settings.poisonAttempts());
    private long failuresInARow;

    Dispatch(String queue, Handler handler) {
      super(channel);
      this.queue = queue;
      this.handler = handler;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      acks.delivered(envelope.getDeliveryTag());
      // The consumer span and the MDC fields last until the failure, if any, is logged.
      MessageSpan trace = settings.tracer().process(queue, false, properties);
      Inbound message =
          new Inbound(acks, publisher, service, queue, envelope, properties, body, trace);
      // Whatever the handler settles at once is acked when it returns, with whatever else is due.
      try (DeliveryAcks.Scope batch = DeliveryAcks.batch()) {
        handler.onMessage(message);
        succeeded(body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        message.requeue();
      } catch (Exception e) {
        trace.failed(e);
        failed(message, body, e);
      } finally {
        trace.close();
      }
    }

    private void succeeded(byte[] body) {
      failures.succeeded();
      if (failures.anyFailing()) {
        failures.forget(body); // it may have failed before
      }
      if (failuresInARow > 0) {
        log.info(
            "{}: handling messages of {} works again after {} failed attempts",
            service,
            queue,
            failuresInARow);
        failuresInARow = 0;
      }
    }

    /**
     * A bug, or a failing side effect (a full disk), not bad input: bad input is dead-lettered by
     * the handler. A message failing alone is given up after a few rounds; failures in a row slow
     * the consumer down rather than spin, and a long outage is logged once a minute, not once a
     * second.
     */
    private void failed(Inbound message, byte[] body, Exception e) {
      if (message.isSettled()) {
        log.error("{}: a handler of {} failed after settling its message", service, queue, e);
        return;
      }
      failuresInARow++;
      int alone = failures.failed(body);
      if (failures.isPoison(alone)) {
        failures.forget(body);
        log.error(
            "{}: a message of {} failed {} times while others went through; dead-lettered"
                + " as a poison message: {}",
            service,
            queue,
            alone,
            e.toString());
        message.deadLetter(
            "poison message: handling it failed "
                + alone
                + " times while other"
                + " messages went through (--poison-attempts "
                + failures.maxAttempts()
                + "): "
                + e);
        return;
      }
      if (failuresInARow == 1) {
        log.error("{}: handling a message of {} failed; requeued", service, queue, e);
      } else if (failuresInARow % 60 == 0) {
        log.error(
            "{}: handling messages of {} still fails ({} attempts in a row): {}",
            service,
            queue,
            failuresInARow,
            e.toString());
      } else {
        log.debug("{}: handling a message of {} failed again: {}", service, queue, e.toString());
      }
      if (failuresInARow > 1) {
        try {
          Thread.sleep(FAILURE_PAUSE.toMillis());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
      message.requeue();
    }

    /**
     * The broker cancels a consumer when its queue is deleted (by {@code rabbitmqctl delete_queue},
     * the management UI, or a quorum queue losing its members). The messages it held are gone; the
     * stream is not: declare the queue again and go on consuming, saying so, rather than sit idle
     * and connected while producers' messages are dropped as unroutable.
     */
    @Override
    public void handleCancel(String consumerTag) {
      if (!consumerTag.equals(tag)) {
        return; // a consumer this one already replaced, or one cancelled on purpose
      }
      tag = null;
      try {
        Topology.declare(channel, settings, service, queue);
        startConsuming(this);
        log.error(
            "{}: queue '{}' on virtual host '{}' was deleted while {} consumed it (the"
                + " messages in it are gone); declared it again and consuming again",
            service,
            queue,
            settings.vhost(),
            service);
      } catch (IOException | RuntimeException e) {
        log.error(
            "{}: queue '{}' on virtual host '{}' was deleted while {} consumed it, and"
                + " declaring it again failed: {}; restart {} once the queue can be declared",
            service,
            queue,
            settings.vhost(),
            service,
            Failures.describe(e),
            service);
      }
    }
  }
}
