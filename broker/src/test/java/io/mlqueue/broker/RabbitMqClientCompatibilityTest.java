package io.mlqueue.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The RabbitMQ client features the services rely on, against the embedded broker. */
class RabbitMqClientCompatibilityTest {
  private static final long WAIT_SECONDS = 5;

  private static EmbeddedBroker broker;
  private Connection connection;
  private Channel channel;
  private String queue;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @BeforeEach
  void connect(TestInfo test) throws Exception {
    connection = Clients.connect(broker.amqpUri());
    channel = connection.createChannel();
    queue = test.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void disconnect() throws Exception {
    connection.close();
  }

  @Test
  void confirmsPersistentMessagesOnADurableQueue() throws Exception {
    channel.queueDeclare(queue, true, false, false, null);
    channel.confirmSelect();
    for (int i = 0; i < 100; i++) {
      channel.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, bytes("m" + i));
    }
    channel.waitForConfirmsOrDie(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));

    assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(100);
    assertThat(channel.basicGet(queue, true).getProps().getDeliveryMode()).isEqualTo(2);
  }

  @Test
  void deliversNoMoreUnackedMessagesThanThePrefetch() throws Exception {
    channel.queueDeclare(queue, false, false, false, null);
    for (int i = 0; i < 5; i++) {
      channel.basicPublish("", queue, null, bytes("m" + i));
    }
    channel.basicQos(2);
    BlockingQueue<Delivery> deliveries = consume(channel, queue);

    Delivery first = take(deliveries);
    Delivery second = take(deliveries);
    assertThat(deliveries.poll(300, TimeUnit.MILLISECONDS)).isNull();

    channel.basicAck(second.getEnvelope().getDeliveryTag(), true);
    for (int i = 2; i < 5; i++) {
      channel.basicAck(take(deliveries).getEnvelope().getDeliveryTag(), false);
    }
    assertThat(body(first)).isEqualTo("m0");
    assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isZero();
  }

  @Test
  void nackWithRequeueRedeliversWithTheRedeliveredFlag() throws Exception {
    channel.queueDeclare(queue, false, false, false, null);
    channel.basicPublish("", queue, null, bytes("again"));
    BlockingQueue<Delivery> deliveries = consume(channel, queue);

    Delivery first = take(deliveries);
    assertThat(first.getEnvelope().isRedeliver()).isFalse();
    channel.basicNack(first.getEnvelope().getDeliveryTag(), false, true);

    Delivery second = take(deliveries);
    assertThat(second.getEnvelope().isRedeliver()).isTrue();
    assertThat(body(second)).isEqualTo("again");
    channel.basicAck(second.getEnvelope().getDeliveryTag(), false);
  }

  @Test
  void repliesThroughAnExclusiveServerNamedQueue() throws Exception {
    channel.queueDeclare(queue, false, false, false, null);
    Channel server = connection.createChannel();
    server.basicConsume(
        queue,
        true,
        (tag, request) -> {
          AMQP.BasicProperties reply =
              new AMQP.BasicProperties.Builder()
                  .correlationId(request.getProperties().getCorrelationId())
                  .build();
          server.basicPublish(
              "", request.getProperties().getReplyTo(), reply, bytes("re: " + body(request)));
        },
        tag -> {});

    String replyQueue = channel.queueDeclare().getQueue();
    String correlationId = UUID.randomUUID().toString();
    BlockingQueue<Delivery> replies = consume(channel, replyQueue);
    channel.basicPublish(
        "",
        queue,
        new AMQP.BasicProperties.Builder().replyTo(replyQueue).correlationId(correlationId).build(),
        bytes("ping"));

    Delivery reply = take(replies);
    assertThat(replyQueue).isNotBlank();
    assertThat(reply.getProperties().getCorrelationId()).isEqualTo(correlationId);
    assertThat(body(reply)).isEqualTo("re: ping");
  }

  @Test
  void passiveDeclareCountsTheConsumersOfAQueue() throws Exception {
    channel.queueDeclare(queue, true, false, false, null);
    assertThat(channel.queueDeclarePassive(queue).getConsumerCount()).isZero();

    try (Connection worker = Clients.connect(broker.amqpUri())) {
      Channel workerChannel = worker.createChannel();
      workerChannel.basicQos(1);
      String tag = workerChannel.basicConsume(queue, false, (t, d) -> {}, t -> {});
      assertThat(channel.queueDeclarePassive(queue).getConsumerCount()).isEqualTo(1);

      workerChannel.basicCancel(tag);
      assertThat(channel.queueDeclarePassive(queue).getConsumerCount()).isZero();
      workerChannel.basicConsume(queue, false, (t, d) -> {}, t -> {});
    }
    // A worker that goes away takes its consumer with it.
    assertThat(channel.queueDeclarePassive(queue).getConsumerCount()).isZero();
  }

  @Test
  void ignoresRabbitMqOnlyQueueArguments() throws Exception {
    Map<String, Object> rabbitOnly =
        Map.of(
            "x-queue-type", "quorum",
            "x-dead-letter-exchange", "",
            "x-dead-letter-routing-key", queue + ".dlq");
    channel.queueDeclare(queue, true, false, false, rabbitOnly);
    channel.basicPublish("", queue, null, bytes("still works"));

    assertThat(body(channel.basicGet(queue, true))).isEqualTo("still works");
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aChannelErrorClosesTheChannelButNotTheConnection() throws Exception {
    assertThatThrownBy(() -> channel.queueDeclarePassive("no-such-queue"))
        .isInstanceOf(IOException.class)
        .cause()
        .hasMessageContaining("reply-code=404");
    assertThat(channel.isOpen()).isFalse();
    assertThat(connection.isOpen()).isTrue();

    Channel unknownExchange = connection.createChannel();
    unknownExchange.confirmSelect();
    unknownExchange.basicPublish("no-such-exchange", queue, null, bytes("lost"));
    assertThatThrownBy(() -> unknownExchange.waitForConfirmsOrDie(WAIT_SECONDS * 1000))
        .hasMessageContaining("reply-code=404");
    assertThat(connection.isOpen()).isTrue();
  }

  private static BlockingQueue<Delivery> consume(Channel channel, String queue) throws IOException {
    BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    channel.basicConsume(queue, false, (tag, delivery) -> deliveries.add(delivery), tag -> {});
    return deliveries;
  }

  private static Delivery take(BlockingQueue<Delivery> deliveries) throws InterruptedException {
    Delivery delivery = deliveries.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(delivery).as("a delivery within %d s", WAIT_SECONDS).isNotNull();
    return delivery;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String body(Delivery delivery) {
    return new String(delivery.getBody(), StandardCharsets.UTF_8);
  }

  private static String body(com.rabbitmq.client.GetResponse response) {
    return new String(response.getBody(), StandardCharsets.UTF_8);
  }
}
