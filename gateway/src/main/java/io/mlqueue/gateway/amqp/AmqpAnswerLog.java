package io.mlqueue.gateway.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.ConfirmedPublisher;
import io.mlqueue.amqp.Messages;
import io.mlqueue.amqp.Outcome;
import io.mlqueue.amqp.Topology;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.gateway.AnswerLog;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AnswerLog} on the broker: answers to {@code y_pred_shadow} (bulk for a batch), truths
 * to {@code y_true_feedback}, persistent and confirmed, on a channel of their own.
 *
 * <p>An answer is recorded after the client has it and never delays it: a publish that fails is
 * counted ({@code mlqueue_gateway_answers_unlogged_total}) and logged, and that answer is missing
 * from the evaluation. A truth is acknowledged to its client only once the broker confirmed it.
 */
public final class AmqpAnswerLog implements AnswerLog {
  private static final Logger log = LoggerFactory.getLogger(AmqpAnswerLog.class);

  private final Channel channel;
  private final ConfirmedPublisher publisher;
  private final MessageCodec codec = new MessageCodec();
  private final Counter unlogged;

  private AmqpAnswerLog(Channel channel, MeterRegistry registry) throws IOException {
    this.channel = channel;
    this.publisher = new ConfirmedPublisher(channel);
    this.unlogged =
        Counter.builder("mlqueue.gateway.answers.unlogged")
            .description("Answers that could not be recorded on y_pred_shadow (the broker refused)")
            .register(registry);
  }

  /** Declares the two queues and opens the channel. */
  public static AmqpAnswerLog start(
      Connection connection, AmqpSettings settings, MeterRegistry registry) throws IOException {
    Channel channel = connection.createChannel();
    Topology.declare(channel, settings, "gateway", Queues.Y_PRED_SHADOW, Queues.FEEDBACK);
    log.info(
        "gateway: answers recorded on {}, feedback sent to {}",
        Queues.Y_PRED_SHADOW,
        Queues.FEEDBACK);
    return new AmqpAnswerLog(channel, registry);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void answered(MessageId id, double[] predictions, String model) {
    MessageId[] ids = new MessageId[predictions.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = AnswerLog.instanceId(id, i, ids.length);
    }
    byte[] body =
        codec.encode(
            new ValueRows(
                ids, predictions.clone(), model, System.currentTimeMillis(), ids.length > 1));
    publisher.publish(
        Queues.Y_PRED_SHADOW,
        Messages.PERSISTENT_JSON,
        body,
        new Outcome() {
          @Override
          public void confirmed() {}

          @Override
          public void failed(String reason) {
            unlogged.increment();
            log.warn("gateway: the answer to {} could not be recorded ({})", id, reason);
          }
        });
  }

  @Override
  public CompletableFuture<Void> feedback(MessageId id, double yTrue, Duration timeout) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] body = codec.encode(ValueRows.single(id, yTrue, "", 0));
    publisher.publish(
        Queues.FEEDBACK,
        Messages.PERSISTENT_JSON,
        body,
        new Outcome() {
          @Override
          public void confirmed() {
            done.complete(null);
          }

          @Override
          public void failed(String reason) {
            done.completeExceptionally(new IOException("the broker did not take it: " + reason));
          }
        });
    return done.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void close() {
    try {
      publisher.awaitPending(Duration.ofSeconds(5));
      channel.close();
    } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
      log.debug("gateway: closing the answer log's channel: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
