package io.mlqueue.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Where the embedded broker behaves unlike RabbitMQ. Code that runs on both must not rely on either
 * behaviour; these tests pin Qpid's side so a Qpid upgrade that changes it is noticed.
 */
class QpidDifferencesFromRabbitMqTest {
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

  /** RabbitMQ drops (or dead-letters) the message; Qpid puts it back, so a poison message loops. */
  @Test
  void rejectAndNackWithoutRequeueRequeueWhenNoMaximumDeliveryCountIsSet() throws Exception {
    channel.queueDeclare(queue, false, false, false, null);
    channel.basicPublish("", queue, null, new byte[] {1});

    GetResponse first = channel.basicGet(queue, false);
    channel.basicReject(first.getEnvelope().getDeliveryTag(), false);
    GetResponse second = channel.basicGet(queue, false);
    channel.basicNack(second.getEnvelope().getDeliveryTag(), false, false);
    GetResponse third = channel.basicGet(queue, false);

    assertThat(second.getEnvelope().isRedeliver()).isTrue();
    assertThat(third).isNotNull();
    assertThat(third.getEnvelope().isRedeliver()).isTrue();
  }

  /** With Qpid's own delivery limit a rejected message leaves the queue, as on RabbitMQ. */
  @Test
  void rejectWithoutRequeueRemovesTheMessageWhenAMaximumDeliveryCountIsSet() throws Exception {
    channel.queueDeclare(queue, false, false, false, Map.of("x-qpid-maximum-delivery-count", 3));
    channel.basicPublish("", queue, null, new byte[] {1});

    channel.basicReject(channel.basicGet(queue, false).getEnvelope().getDeliveryTag(), false);

    assertThat(channel.basicGet(queue, false)).isNull();
  }

  /** RabbitMQ closes the channel with 406 PRECONDITION_FAILED. */
  @Test
  void ackOfAnUnknownDeliveryTagIsIgnored() throws Exception {
    channel.basicAck(999, false);
    channel.queueDeclare(queue, false, false, false, null);

    assertThat(channel.isOpen()).isTrue();
  }

  /** RabbitMQ answers 406 PRECONDITION_FAILED to a declare that differs from the queue's. */
  @Test
  void redeclareWithAnotherDurableFlagIsAccepted() throws Exception {
    channel.queueDeclare(queue, true, false, false, null);
    channel.queueDeclare(queue, false, false, false, null);

    assertThat(channel.isOpen()).isTrue();
  }

  /** With unknown arguments ignored, x-message-ttl is too: the message does not expire. */
  @Test
  void messageTtlArgumentIsIgnored() throws Exception {
    channel.queueDeclare(queue, false, false, false, Map.of("x-message-ttl", 50));
    channel.basicPublish("", queue, null, new byte[] {1});
    Thread.sleep(300);

    assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
  }
}
