package io.mlqueue.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.broker.EmbeddedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batched acks on the embedded broker: nothing acked before it is settled, few frames for many. */
class DeliveryAcksTest {
  private static EmbeddedBroker broker;
  private static AmqpSettings settings;
  private static Connection connection;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedBroker.start();
    settings = AmqpSettings.of(broker.amqpUri()).withPrefetch(500);
    connection = BrokerConnector.connect(settings, "test");
  }

  @AfterAll
  static void stop() throws Exception {
    connection.close();
    broker.close();
  }

  private static List<Inbound> receive(QueueConsumer consumer, String queue, int n)
      throws Exception {
    List<Inbound> held = new CopyOnWriteArrayList<>();
    consumer.declare(queue).consume(queue, held::add);
    Channel ch = connection.createChannel();
    for (int i = 0; i < n; i++) {
      ch.basicPublish("", queue, Messages.PERSISTENT_JSON, ("m" + i).getBytes(UTF_8));
    }
    ch.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == n);
    return held;
  }

  private static long waiting(String queue) throws Exception {
    Channel ch = connection.createChannel();
    try {
      return ch.queueDeclarePassive(queue).getMessageCount();
    } finally {
      ch.close();
    }
  }

  @Test
  void settlingInAnyOrderAcksEverythingAndNothingBeforeItIsSettled() throws Exception {
    QueueConsumer consumer = QueueConsumer.open(connection, "svc", settings);
    // Fewer than DeliveryAcks.HELD_BACK_LIMIT, so none is acked singly.
    List<Inbound> held = new ArrayList<>(receive(consumer, "acks.any", 60));
    Inbound oldest = held.remove(0);
    Collections.shuffle(held, new Random(7));
    for (Inbound m : held) {
      m.ack();
    }
    // Every message but the oldest is settled: a multiple ack would take the oldest too, so none
    // may go out yet.
    assertThat(consumer.ackFrames()).isZero();
    oldest.ack();
    assertThat(consumer.ackFrames()).isEqualTo(1);
    consumer.close();
    assertThat(waiting("acks.any")).isZero();
  }

  @Test
  void anUnsettledMessageGoesBackWhileThoseSettledAroundItStayAcked() throws Exception {
    QueueConsumer consumer = QueueConsumer.open(connection, "svc", settings);
    List<Inbound> held = receive(consumer, "acks.gap", 10);
    for (int i = 0; i < 10; i++) {
      if (i != 4) {
        held.get(i).ack();
      }
    }
    assertThat(consumer.ackFrames()).isEqualTo(4); // 0-3 one by one; 5-9 wait behind 4
    consumer.close(); // acks 5-9 singly; 4 was never settled: the broker requeues it, and only it
    assertThat(waiting("acks.gap")).isEqualTo(1);
  }

  @Test
  void settledMessagesWaitingLongBehindAnUnsettledOneAreAckedSinglyNotHeldBack() throws Exception {
    QueueConsumer consumer = QueueConsumer.open(connection, "svc", settings);
    List<Inbound> held = receive(consumer, "acks.late", 200);
    for (int i = 1; i < 200; i++) {
      held.get(i).ack(); // the first, a half whose partner is late, stays unsettled
    }
    // They must not fill the prefetch window while the first waits: whenever more than the limit
    // are held back, they go singly (3 rounds of 65 for 199), and at most the limit stays.
    int round = DeliveryAcks.HELD_BACK_LIMIT + 1;
    assertThat(consumer.ackFrames()).isEqualTo(199 / round * round);
    held.get(0).ack();
    assertThat(consumer.ackFrames()).isEqualTo(199 / round * round + 1);
    consumer.close();
    assertThat(waiting("acks.late")).isZero();
  }

  @Test
  void aRequeueIsSentAtOnceAndTheAckPassesOverIt() throws Exception {
    QueueConsumer consumer = QueueConsumer.open(connection, "svc", settings);
    List<Inbound> held = receive(consumer, "acks.requeue", 3);
    held.get(1).requeue();
    held.get(0).ack();
    held.get(2).ack();
    // 0 alone, then 2, passing over the requeued 1 but never naming its tag: the embedded broker
    // then also acked the copy it had redelivered under a new tag.
    assertThat(consumer.ackFrames()).isEqualTo(2);
    consumer.cancel();
    consumer.close();
    // The requeued message went back to the queue (or to the consumer, and back again on close).
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting("acks.requeue") == 1);
  }

  @Test
  void settlementsInOneBatchGoOutAsOneFrame() throws Exception {
    QueueConsumer consumer = QueueConsumer.open(connection, "svc", settings);
    List<Inbound> held = receive(consumer, "acks.batch", 200);
    try (DeliveryAcks.Scope batch = DeliveryAcks.batch()) {
      for (Inbound m : held) {
        m.ack();
      }
      assertThat(consumer.ackFrames()).isZero();
    }
    assertThat(consumer.ackFrames()).isEqualTo(1);
    consumer.close();
    assertThat(waiting("acks.batch")).isZero();
  }

  @Test
  void aPipelineOfConfirmedOutputsAcksInFarFewerFramesThanMessages() throws Exception {
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", settings)
            .declare("acks.pipe.in", "acks.pipe.out")
            .consume(
                "acks.pipe.in",
                m -> m.publishThenAck("acks.pipe.out", Messages.PERSISTENT_JSON, m.body()));
    Channel ch = connection.createChannel();
    for (int i = 0; i < 2_000; i++) {
      ch.basicPublish("", "acks.pipe.in", Messages.PERSISTENT_JSON, ("m" + i).getBytes(UTF_8));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> waiting("acks.pipe.out") == 2_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.publisher().pending() == 0);
    consumer.close();
    ch.close();
    assertThat(waiting("acks.pipe.in")).isZero();
    // One frame per confirm frame at most; the broker confirms many publishes at once under load.
    assertThat(consumer.ackFrames()).isBetween(1L, 2_000L);
  }
}
