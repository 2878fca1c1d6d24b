package io.mlqueue.model.service;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Messages;
import io.mlqueue.broker.testing.TestBroker;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.Queues;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ServableModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch of calls that cannot be predicted at all is answered at once with the reason, rather than
 * left for every caller to time out; and the worker goes on answering the next calls.
 */
class RequestServerFailureTest {
  private static final String REPLIES = "request-server-test-replies";
  private static TestBroker broker;
  private final PredictCodec codec = new PredictCodec();
  private final LinearModel builtIn = BuiltInModel.get();
  private Channel channel;
  private RequestServer server;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
  }

  @BeforeEach
  void cleanQueues() throws Exception {
    broker.deleteQueues(Queues.PREDICT, Queues.deadLetterQueue(Queues.PREDICT), REPLIES);
    channel = broker.connection().createChannel();
    channel.queueDeclare(REPLIES, false, false, false, null);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close(Duration.ofSeconds(5));
    }
    channel.close();
  }

  private RequestServer serve(LiveModel live) throws Exception {
    server =
        new RequestServer(
            broker.connection(),
            AmqpSettings.of(broker.uri()),
            live,
            new MicroBatcher.Limits(64, Duration.ZERO),
            new SimpleMeterRegistry(),
            MessageCodec.DEFAULT_MAX_BYTES);
    return server;
  }

  private void call(String correlationId) throws Exception {
    channel.basicPublish(
        "",
        Queues.PREDICT,
        Messages.TRANSIENT_JSON.builder().replyTo(REPLIES).correlationId(correlationId).build(),
        ("{\"id\": \"" + correlationId + "\", \"instances\": [[0,0,0,0,0,0,0,0,0,0]]}")
            .getBytes(UTF_8));
  }

  private PredictReply answer(String correlationId) throws Exception {
    // TestBroker.take waits a bounded time, far less than any caller's timeout would be.
    GetResponse r = TestBroker.take(channel, REPLIES, 1).get(0);
    assertThat(r.getProps().getCorrelationId()).isEqualTo(correlationId);
    return codec.decodeReply(r.getBody());
  }

  @Test
  void aModelThatThrowsAnErrorGetsItsBatchAnsweredAndTheWorkerGoesOn() throws Exception {
    AtomicBoolean fail = new AtomicBoolean(true);
    serve(new LiveModel(new Failing(builtIn, fail)));

    call("first");
    PredictReply first = answer("first");
    assertThat(first).isInstanceOf(PredictReply.Failure.class);
    assertThat(((PredictReply.Failure) first).kind()).isEqualTo(PredictReply.Kind.INTERNAL);
    assertThat(((PredictReply.Failure) first).message())
        .contains("no onnxruntime in java.library.path");

    fail.set(false);
    call("second");
    assertThat(answer("second")).isInstanceOf(PredictReply.Predictions.class);
  }

  @Test
  void aBatchThatMeetsAClosedModelIsAnsweredAtOnce() throws Exception {
    LiveModel live = new LiveModel(builtIn);
    serve(live);
    live.close(); // as when the worker stops with calls still arriving

    call("late");
    PredictReply late = answer("late");
    assertThat(late).isInstanceOf(PredictReply.Failure.class);
    assertThat(((PredictReply.Failure) late).kind()).isEqualTo(PredictReply.Kind.INTERNAL);
    assertThat(((PredictReply.Failure) late).message()).contains("the live model is closed");
  }

  /** The built-in model, except that its batch predictions fail while {@code fail} is set. */
  private record Failing(LinearModel model, AtomicBoolean fail) implements ServableModel {
    @Override
    public void predictBatch(double[][] rows, double[] out) {
      if (fail.get()) {
        // What a native runtime that cannot load throws: an Error, not an exception.
        throw new UnsatisfiedLinkError("no onnxruntime in java.library.path");
      }
      model.predictBatch(rows, out);
    }

    @Override
    public String id() {
      return model.id();
    }

    @Override
    public String name() {
      return model.name();
    }

    @Override
    public String version() {
      return model.version();
    }

    @Override
    public List<String> featureNames() {
      return model.featureNames();
    }

    @Override
    public int featureCount() {
      return model.featureCount();
    }

    @Override
    public String targetName() {
      return model.targetName();
    }

    @Override
    public void checkFeatures(double[] features) {
      model.checkFeatures(features);
    }

    @Override
    public double predict(double[] features) {
      return model.predict(features);
    }
  }
}
