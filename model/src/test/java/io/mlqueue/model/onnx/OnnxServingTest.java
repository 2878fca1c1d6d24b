package io.mlqueue.model.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.FeaturesMessage;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.data.Dataset;
import io.mlqueue.model.service.ModelService;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model worker serving an ONNX model (Tribuo's fit of the diabetes data, exported) on the
 * embedded broker: the stream and request/reply, each answer the ONNX model's own and labelled with
 * its name and version.
 */
class OnnxServingTest {
  private static final String REPLIES = "onnx-serving-replies";
  private static final List<String> ONNX_ORDER = TribuoDiabetes.onnxFeatureOrder();
  private static final Dataset DATA = Dataset.builtIn();

  @TempDir static Path dir;
  private static TestBroker broker;
  private static Connection connection;
  private static OnnxModel onnx;
  private static ModelService service;

  @BeforeAll
  static void start() throws Exception {
    var exported = TribuoDiabetes.MODEL.exportONNXModel("io.mlqueue.test", 1);
    onnx =
        OnnxModel.load(
            TinyGraphs.write(
                TinyGraphs.withMetadata(
                    exported,
                    Map.of(
                        OnnxModel.NAME_KEY, "diabetes-onnx",
                        OnnxModel.VERSION_KEY, "7",
                        OnnxModel.FEATURES_KEY, String.join(",", ONNX_ORDER),
                        OnnxModel.TARGET_KEY, "target")),
                dir.resolve("diabetes.onnx")));
    broker = TestBroker.start();
    connection = broker.connection();
    service = ModelService.start(connection, AmqpSettings.of(broker.uri()), onnx);
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    broker.close();
    onnx.close();
  }

  @Test
  void theStreamGetsTheOnnxModelsPredictionsUnderItsName() throws Exception {
    MessageCodec codec = new MessageCodec();
    Map<MessageId, double[]> sent = new HashMap<>();
    try (Channel channel = connection.createChannel()) {
      for (int row = 0; row < 40; row++) {
        MessageId id = MessageId.random();
        double[] features = inOnnxOrder(row); // a producer for this model sends its columns
        sent.put(id, features);
        channel.basicPublish(
            "",
            Queues.FEATURES,
            Messages.PERSISTENT_JSON,
            codec.encode(new FeaturesMessage(id, features, 42L)));
      }
      for (GetResponse r : TestBroker.take(channel, Queues.Y_PRED, 40)) {
        ValueMessage p = codec.decodeValue(r.getBody());
        assertThat(p.value()).isEqualTo(onnx.predict(sent.get(p.id())));
        assertThat(p.model()).isEqualTo("diabetes-onnx:7");
      }
    }
  }

  @Test
  void aCallNamingItsFeaturesInTheDatasOrderIsAnsweredInTheModelsOrder() throws Exception {
    PredictCodec codec = new PredictCodec();
    double[][] rows = {DATA.features(0), DATA.features(1), DATA.features(2)};
    try (Channel channel = connection.createChannel()) {
      channel.queueDeclare(REPLIES, false, false, false, null);
      channel.basicPublish(
          "",
          Queues.PREDICT,
          Messages.TRANSIENT_JSON.builder().replyTo(REPLIES).correlationId("c-1").build(),
          codec.encode(new PredictRequest(MessageId.of("call"), rows, DATA.featureNames())));

      PredictReply reply = codec.decodeReply(TestBroker.take(channel, REPLIES, 1).get(0).getBody());

      assertThat(reply)
          .isInstanceOfSatisfying(
              PredictReply.Predictions.class,
              p -> {
                assertThat(p.model()).isEqualTo("diabetes-onnx:7");
                assertThat(p.predictions())
                    .containsExactly(
                        onnx.predict(
                            new double[][] {inOnnxOrder(0), inOnnxOrder(1), inOnnxOrder(2)}));
              });
    }
  }

  private static double[] inOnnxOrder(int row) {
    double[] values = new double[ONNX_ORDER.size()];
    for (int c = 0; c < values.length; c++) {
      values[c] = DATA.features(row)[DATA.featureNames().indexOf(ONNX_ORDER.get(c))];
    }
    return values;
  }
}
