package io.mlqueue.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.broker.EmbeddedBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Acking, requeueing and dead-lettering on the embedded broker. */
class QueueConsumerTest {
  private static EmbeddedBroker broker;
  private static AmqpSettings settings;
  private static Connection connection;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedBroker.start();
    settings = AmqpSettings.of(broker.amqpUri()).withPrefetch(10);
    connection = BrokerConnector.connect(settings, "test");
  }

  @AfterAll
  static void stop() throws Exception {
    connection.close();
    broker.close();
  }

  @Test
  void deadLetterKeepsTheBodyAndSaysWhyThenAcks() throws Exception {
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", settings)
            .declare("dl.in")
            .consume("dl.in", m -> m.deadLetter("because"));
    Channel ch = connection.createChannel();
    ch.basicPublish("", "dl.in", Messages.PERSISTENT_JSON, "payload".getBytes(UTF_8));

    GetResponse dead =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> ch.basicGet("dl.in.dlq", true), r -> r != null);
    assertThat(new String(dead.getBody(), UTF_8)).isEqualTo("payload");
    assertThat(dead.getProps().getContentType()).isEqualTo(Messages.JSON);
    assertThat(dead.getProps().getHeaders())
        .containsKeys(DeadLetters.AT)
        .extractingByKeys(DeadLetters.REASON, DeadLetters.SOURCE_QUEUE, DeadLetters.SERVICE)
        .map(Object::toString)
        .containsExactly("because", "dl.in", "svc");
    consumer.close();
    assertThat(ch.queueDeclarePassive("dl.in").getMessageCount()).isZero(); // acked, not requeued
    ch.close();
  }

  @Test
  void aFailingHandlerGetsTheMessageBackRedelivered() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Boolean> redelivered = new CopyOnWriteArrayList<>();
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", settings)
            .declare("fail.in")
            .consume(
                "fail.in",
                m -> {
                  redelivered.add(m.redelivered());
                  if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("disk full");
                  }
                  m.ack();
                });
    Channel ch = connection.createChannel();
    ch.basicPublish("", "fail.in", Messages.PERSISTENT_JSON, "x".getBytes(UTF_8));
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2);
    assertThat(redelivered).containsExactly(false, true);
    consumer.close();
    assertThat(ch.queueDeclarePassive("fail.in").getMessageCount()).isZero();
    ch.close();
  }

  @Test
  void aPoisonMessageIsDeadLetteredAfterItsAttemptsAndTheRestFlowWithoutPause() throws Exception {
    AtomicInteger poisonCalls = new AtomicInteger();
    AtomicInteger acked = new AtomicInteger();
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", settings.withPoisonAttempts(3))
            .declare("poison.in")
            .consume(
                "poison.in",
                m -> {
                  if (new String(m.body(), UTF_8).equals("poison")) {
                    poisonCalls.incrementAndGet();
                    throw new IllegalStateException("the model fails on this input");
                  }
                  m.ack();
                  acked.incrementAndGet();
                });
    Channel ch = connection.createChannel();
    for (int i = 0; i < 2_000; i++) {
      ch.basicPublish(
          "",
          "poison.in",
          Messages.PERSISTENT_JSON,
          (i == 10 ? "poison" : "m" + i).getBytes(UTF_8));
    }
    GetResponse dead =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> ch.basicGet("poison.in.dlq", true), r -> r != null);
    assertThat(new String(dead.getBody(), UTF_8)).isEqualTo("poison");
    assertThat(dead.getProps().getHeaders().get(DeadLetters.REASON).toString())
        .startsWith("poison message: handling it failed 3 times while other messages went through")
        .contains("IllegalStateException: the model fails on this input");
    await().atMost(Duration.ofSeconds(20)).until(() -> acked.get() == 1_999);
    // Three failures counted; a redelivery that comes back before any other message went through
    // (the prefetch window happened to be empty behind it) fails "in a row" and is not counted.
    assertThat(poisonCalls.get()).isBetween(3, 6);
    consumer.close();
    assertThat(ch.queueDeclarePassive("poison.in").getMessageCount()).isZero();
    ch.close();
  }

  @Test
  void whenEveryMessageFailsNoneIsGivenUpAndAllGoThroughOnceItWorksAgain() throws Exception {
    AtomicInteger failuresLeft = new AtomicInteger(4); // a full disk for four attempts
    AtomicInteger acked = new AtomicInteger();
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", settings.withPoisonAttempts(2))
            .declare("outage.in")
            .consume(
                "outage.in",
                m -> {
                  if (failuresLeft.getAndDecrement() > 0) {
                    throw new java.io.IOException("No space left on device");
                  }
                  m.ack();
                  acked.incrementAndGet();
                });
    Channel ch = connection.createChannel();
    for (int i = 0; i < 3; i++) {
      ch.basicPublish("", "outage.in", Messages.PERSISTENT_JSON, ("m" + i).getBytes(UTF_8));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> acked.get() == 3);
    consumer.close();
    assertThat(ch.queueDeclarePassive("outage.in").getMessageCount()).isZero();
    assertThat(ch.basicGet("outage.in.dlq", true)).isNull();
    ch.close();
  }

  @Test
  void publishThenAckAcksTheInputOnceTheOutputIsConfirmed() throws Exception {
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", settings)
            .declare("pipe.in", "pipe.out")
            .consume(
                "pipe.in", m -> m.publishThenAck("pipe.out", Messages.PERSISTENT_JSON, m.body()));
    Channel ch = connection.createChannel();
    for (int i = 0; i < 100; i++) {
      ch.basicPublish("", "pipe.in", Messages.PERSISTENT_JSON, ("m" + i).getBytes(UTF_8));
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ch.queueDeclarePassive("pipe.out").getMessageCount() == 100);
    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.publisher().pending() == 0);
    consumer.close();
    assertThat(ch.queueDeclarePassive("pipe.in").getMessageCount()).isZero();
    ch.close();
  }

  @Test
  void unconfirmedPublishesFailWhenTheChannelCloses() throws Exception {
    Channel ch = connection.createChannel();
    ConfirmedPublisher publisher = new ConfirmedPublisher(ch);
    List<String> failures = new CopyOnWriteArrayList<>();
    ch.close();
    publisher.publish(
        "nowhere",
        Messages.PERSISTENT_JSON,
        new byte[] {1},
        new Outcome() {
          @Override
          public void confirmed() {}

          @Override
          public void failed(String reason) {
            failures.add(reason);
          }
        });
    assertThat(failures).hasSize(1);
    assertThat(publisher.pending()).isZero();
  }

  @Test
  void aServiceGivenSeveralNodesConnectsToOneThatAnswers() throws Exception {
    // The first "node" refuses connections (nothing listens on port 1); the client tries the next.
    AmqpSettings cluster =
        AmqpSettings.of("amqp://guest:guest@127.0.0.1:1/%2F," + broker.amqpUri())
            .withConnectTimeout(Duration.ofSeconds(20));
    try (Connection c = BrokerConnector.connect(cluster, "failover-test")) {
      assertThat(c.isOpen()).isTrue();
      assertThat(c.getPort()).isEqualTo(broker.port());
    }
  }
}
