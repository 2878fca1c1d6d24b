package io.mlqueue.gateway.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.broker.EmbeddedBroker;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.gateway.Predictor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Calls waiting for their reply when the broker connection drops fail at once as "broker down" (the
 * gateway's 503), not after their timeout (504): their replies can no longer arrive, since the
 * reply queue (direct reply-to, or an exclusive queue) went with the connection.
 */
class AmqpPredictorBrokerLossTest {

  @Test
  void callsInFlightFailAtOnceWhenTheConnectionDrops() throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.start(); // its own: this test stops it
    AmqpSettings settings = AmqpSettings.of(broker.amqpUri());
    Connection workerSide = BrokerConnector.connect(settings, "stuck-worker");
    Connection gatewaySide = BrokerConnector.connect(settings, "gateway");
    AmqpPredictor predictor = null;
    try {
      // A "worker" that takes calls and never answers.
      Channel stuck = workerSide.createChannel();
      stuck.queueDeclare(Queues.PREDICT, true, false, false, null);
      AtomicInteger taken = new AtomicInteger();
      stuck.basicConsume(
          Queues.PREDICT,
          true,
          new DefaultConsumer(stuck) {
            @Override
            public void handleDelivery(
                String tag, Envelope e, AMQP.BasicProperties p, byte[] body) {
              taken.incrementAndGet();
            }
          });
      predictor = AmqpPredictor.start(gatewaySide, settings, new SimpleMeterRegistry());
      AmqpPredictor gateway = predictor;
      await().atMost(Duration.ofSeconds(10)).until(() -> gateway.readiness().ready());
      CompletableFuture<PredictReply> call =
          gateway.predict(
              PredictRequest.positional(MessageId.of("lost"), new double[][] {{1}}),
              Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(10)).until(() -> taken.get() == 1);

      long start = System.nanoTime();
      broker.close();

      assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(Predictor.BrokerDownException.class)
          .cause()
          .hasMessageContaining("lost");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.println(
          "BROKER LOSS | the call in flight failed "
              + took.toMillis()
              + " ms after the broker stopped (its timeout: 60 s)");
      assertThat(took).isLessThan(Duration.ofSeconds(10));
      assertThat(gateway.pendingCalls()).isZero();
      assertThat(gateway.readiness().connected()).isFalse();
    } finally {
      if (predictor != null) {
        predictor.close();
      }
      workerSide.abort(1_000);
      gatewaySide.abort(1_000);
      broker.close();
    }
  }
}
