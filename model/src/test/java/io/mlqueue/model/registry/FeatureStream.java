package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.Messages;
import io.mlqueue.contract.FeaturesMessage;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.model.ServableModel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Feature vectors flowing to a worker while a test moves an alias under it: vector {@code i} goes
 * out as id {@code m-i} with the values {@code row(i)}, at most {@value #IN_FLIGHT} unanswered at a
 * time, and every {@code y_pred} is kept in arrival order.
 */
final class FeatureStream implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final int IN_FLIGHT = 20;

  private final MessageCodec codec = new MessageCodec();
  private final List<ValueMessage> received = new CopyOnWriteArrayList<>();
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
  private final AtomicInteger published = new AtomicInteger();
  private final Channel out;
  private final Channel in;
  private final Thread publisher;
  private final IntFunction<double[]> row;

  FeatureStream(Connection connection, IntFunction<double[]> row) throws IOException {
    this.row = row;
    out = connection.createChannel();
    out.basicConsume(
        Queues.Y_PRED,
        true,
        new DefaultConsumer(out) {
          @Override
          public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body)
              throws IOException {
            try {
              received.add(codec.decodeValue(body));
            } catch (InvalidMessageException bad) {
              throw new IOException("the worker published an invalid y_pred", bad);
            }
            inFlight.release();
          }
        });
    in = connection.createChannel();
    publisher =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    while (!Thread.currentThread().isInterrupted()) {
                      if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
                        continue;
                      }
                      int i = published.get();
                      in.basicPublish(
                          "",
                          Queues.FEATURES,
                          Messages.PERSISTENT_JSON,
                          codec.encode(
                              new FeaturesMessage(MessageId.of("m-" + i), row.apply(i), 0)));
                      published.incrementAndGet();
                    }
                  } catch (InterruptedException e) {
                    // stopped
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
  }

  /** Waits until {@code more} answers have come beyond those already here. */
  void awaitMore(int more) {
    int target = received.size() + more;
    await().atMost(DEADLINE).until(() -> received.size() >= target);
  }

  /** Waits until an answer from {@code model} ({@code name:version}) has come. */
  void awaitAnswerFrom(String model) {
    await().atMost(DEADLINE).until(() -> received.stream().anyMatch(v -> v.model().equals(model)));
  }

  /** Stops sending and waits until every vector sent is answered. */
  void stopAndDrain() throws InterruptedException {
    publisher.interrupt();
    publisher.join(10_000);
    await().atMost(DEADLINE).until(() -> received.size() >= published.get());
  }

  int published() {
    return published.get();
  }

  /**
   * Checks, once the stream is drained, that every vector sent was answered exactly once and each
   * answer is the prediction of the version it names, within {@code relativeTolerance}; returns the
   * versions in the order they took over (a version that comes back appears again).
   */
  List<String> versionsInOrder(Map<String, ServableModel> versions, double relativeTolerance) {
    assertThat(received).hasSize(published());
    assertThat(received.stream().map(v -> v.id().toString()).distinct()).hasSize(published());
    List<String> order = new ArrayList<>();
    for (ValueMessage v : received) {
      int i = Integer.parseInt(v.id().toString().substring(2)); // id m-i
      double expected = versions.get(v.model()).predict(row.apply(i));
      assertThat(v.value())
          .isCloseTo(expected, within(relativeTolerance * Math.max(1, Math.abs(expected))));
      if (order.isEmpty() || !order.get(order.size() - 1).equals(v.model())) {
        order.add(v.model());
      }
    }
    return order;
  }

  /** Asks the worker for one row's prediction the way the gateway does, and waits for the reply. */
  PredictReply call(double[] row) throws Exception {
    String replies = in.queueDeclare().getQueue();
    in.basicPublish(
        "",
        Queues.PREDICT,
        Messages.TRANSIENT_JSON.builder().replyTo(replies).correlationId("c-1").build(),
        new PredictCodec()
            .encode(new PredictRequest(MessageId.of("call"), new double[][] {row}, List.of())));
    GetResponse[] reply = new GetResponse[1];
    await().atMost(DEADLINE).until(() -> (reply[0] = in.basicGet(replies, true)) != null);
    return new PredictCodec().decodeReply(reply[0].getBody());
  }

  @Override
  public void close() throws Exception {
    publisher.interrupt();
    out.close();
    in.close();
  }
}
