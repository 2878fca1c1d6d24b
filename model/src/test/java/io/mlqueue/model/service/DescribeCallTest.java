package io.mlqueue.model.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.Queues;
import io.mlqueue.model.BuiltInModel;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A worker answers a describe call on queue {@code predict} with the model it serves. */
class DescribeCallTest {
  private static final String REPLIES = "describe-test-replies";
  private static TestBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @Test
  void aDescribeCallIsAnsweredWithTheServedModelUnderTheCallsIdAndCorrelation() throws Exception {
    Connection connection = broker.connection();
    PredictCodec codec = new PredictCodec();
    try (ModelService service =
            ModelService.start(connection, AmqpSettings.of(broker.uri()), BuiltInModel.get());
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(REPLIES, false, false, true, null);
      channel.basicPublish(
          "",
          Queues.PREDICT,
          Messages.TRANSIENT_JSON
              .builder()
              .type(PredictCodec.DESCRIBE_TYPE)
              .replyTo(REPLIES)
              .correlationId("d-1")
              .build(),
          codec.encodeDescribe(MessageId.of("describe-1")));

      GetResponse answer = TestBroker.take(channel, REPLIES, 1).get(0);

      assertThat(answer.getProps().getCorrelationId()).isEqualTo("d-1");
      assertThat(new String(answer.getBody(), UTF_8)).startsWith("{\"id\":\"describe-1\",");
      assertThat(codec.decodeDescription(answer.getBody()))
          .isEqualTo(
              new ModelDescription(
                  "diabetes-ols",
                  "builtin",
                  List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"),
                  "target",
                  "mlqueue_linear"));
    }
  }
}
