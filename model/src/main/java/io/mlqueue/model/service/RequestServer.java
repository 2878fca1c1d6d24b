package io.mlqueue.model.service;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Inbound;
import io.mlqueue.amqp.Messages;
import io.mlqueue.amqp.QueueConsumer;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.onnx.OnnxModel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers request/reply calls on queue {@code predict} (the gateway's): micro-batches the requests,
 * predicts each batch in one call, and replies to each request's {@code reply_to} with its {@code
 * correlation_id}. A request the model cannot take is answered with the reason, since somebody
 * waits for it; one without {@code reply_to} or {@code correlation_id} is dead-lettered instead,
 * since nobody could receive or recognise the answer.
 *
 * <p>A describe call (AMQP type {@value PredictCodec#DESCRIBE_TYPE}) is answered at once with the
 * model served now: the gateway's Open Inference API reports it as the model's metadata.
 */
final class RequestServer {
  private static final Logger log = LoggerFactory.getLogger(RequestServer.class);

  private record Call(Inbound message, MessageId id, double[][] rows) {}

  private final LiveModel model;
  private final PredictCodec codec;
  private final MessageCodec ids; // to name a request whose body is invalid
  private final MicroBatcher<Call> batcher;
  private final DistributionSummary batchRows;
  private final QueueConsumer consumer;

  RequestServer(
      Connection connection,
      AmqpSettings settings,
      LiveModel model,
      MicroBatcher.Limits limits,
      MeterRegistry registry,
      int maxMessageBytes)
      throws IOException {
    this(connection, settings, model, limits, registry, maxMessageBytes, Queues.PREDICT);
  }

  /** Answers the calls of {@code queue}: {@code predict}, or the challenger's. */
  RequestServer(
      Connection connection,
      AmqpSettings settings,
      LiveModel model,
      MicroBatcher.Limits limits,
      MeterRegistry registry,
      int maxMessageBytes,
      String queue)
      throws IOException {
    this.model = model;
    this.codec = new PredictCodec(maxMessageBytes);
    this.ids = new MessageCodec(maxMessageBytes);
    this.batchRows =
        DistributionSummary.builder("mlqueue.model.batch.rows")
            .description("Rows predicted per call: the micro-batch sizes")
            .baseUnit("rows")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
            .register(registry);
    this.batcher =
        new MicroBatcher<>(
            limits, call -> call.rows().length, this::predict, this::failed, "model-batcher");
    this.consumer =
        QueueConsumer.open(connection, "model", settings)
            .declare(queue)
            .consume(queue, this::onRequest);
  }

  private void onRequest(Inbound message) {
    String replyTo = message.properties().getReplyTo();
    if (replyTo == null || replyTo.isEmpty()) {
      message.deadLetter("a predict request needs reply_to: nobody could receive the answer");
      return;
    }
    String correlationId = message.properties().getCorrelationId();
    if (correlationId == null || correlationId.isEmpty()) {
      message.deadLetter(
          "a predict request needs correlation_id: its caller could not tell the answer was its own");
      return;
    }
    if (PredictCodec.DESCRIBE_TYPE.equals(message.properties().getType())) {
      MessageId id = ids.peekId(message.body()).orElseGet(MessageId::random);
      message.identify(id.text(), 1);
      reply(message, codec.encode(id, describe(model.current())));
      return;
    }
    PredictRequest request;
    try {
      request = codec.decodeRequest(message.body());
      message.identify(request.id().text(), 1);
    } catch (InvalidMessageException e) {
      MessageId id = ids.peekId(message.body()).orElseGet(MessageId::random);
      reply(message, new PredictReply.Failure(id, PredictReply.Kind.INVALID_INPUT, e.getMessage()));
      return;
    }
    double[][] rows;
    try {
      // Any version swapped in later reads the same feature names in the same order (LiveModel
      // takes no other), so rows ordered for this one suit the one that predicts them.
      rows =
          FeatureOrder.toModelOrder(model.current(), request.featureNames(), request.instances());
    } catch (IllegalArgumentException e) {
      reply(
          message,
          new PredictReply.Failure(request.id(), PredictReply.Kind.INVALID_INPUT, e.getMessage()));
      return;
    }
    batcher.add(new Call(message, request.id(), rows));
  }

  private void predict(List<Call> calls) {
    // One lease per batch: every reply of the batch names the version that computed it, and that
    // version is not closed under the batch if an alias moves meanwhile.
    try (LiveModel.Lease lease = this.model.lease()) {
      predict(calls, lease.model());
    }
  }

  private void predict(List<Call> calls, ServableModel model) {
    int total = 0;
    for (Call call : calls) {
      total += call.rows().length;
    }
    double[][] all = new double[total][];
    int at = 0;
    for (Call call : calls) {
      System.arraycopy(call.rows(), 0, all, at, call.rows().length);
      at += call.rows().length;
    }
    double[] out = new double[total];
    try {
      model.predictBatch(all, out);
    } catch (RuntimeException e) {
      log.error("model: predicting a batch of {} rows failed", total, e);
      for (Call call : calls) {
        reply(
            call.message(),
            new PredictReply.Failure(
                call.id(),
                PredictReply.Kind.INTERNAL,
                "the model failed to predict: " + e.getMessage()));
      }
      return;
    }
    batchRows.record(total);
    at = 0;
    for (Call call : calls) {
      double[] mine = java.util.Arrays.copyOfRange(out, at, at + call.rows().length);
      at += call.rows().length;
      int overflowed = firstNonFinite(mine);
      if (overflowed >= 0) {
        reply(
            call.message(),
            new PredictReply.Failure(
                call.id(),
                PredictReply.Kind.INVALID_INPUT,
                "instance " + overflowed + ": " + ModelService.overflow(mine[overflowed])));
        continue;
      }
      reply(call.message(), new PredictReply.Predictions(call.id(), mine, model.id()));
    }
  }

  /**
   * Answers the calls of a batch that could not be predicted at all (the model closed under it as
   * the worker stops, an Error from a native runtime), so that no caller waits for its timeout. A
   * call that cannot even be answered goes back to the queue, for this or another worker.
   */
  private void failed(List<Call> calls, Throwable cause) {
    String why =
        "the worker could not predict: "
            + (cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage());
    for (Call call : calls) {
      try {
        reply(call.message(), new PredictReply.Failure(call.id(), PredictReply.Kind.INTERNAL, why));
      } catch (RuntimeException e) {
        log.warn("model: answering call {} failed ({}); requeued", call.id(), e.toString());
        call.message().requeue();
      }
    }
  }

  /** The index of the first value that is not finite; -1 when all are. */
  private static int firstNonFinite(double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }

  /** What a describe call is answered with; the platform in the Open Inference Protocol's words. */
  static ModelDescription describe(ServableModel model) {
    String platform = model instanceof OnnxModel ? "onnx_onnxv1" : "mlqueue_linear";
    return new ModelDescription(
        model.name(), model.version(), model.featureNames(), model.targetName(), platform);
  }

  private void reply(Inbound request, PredictReply reply) {
    reply(request, codec.encode(reply));
  }

  private void reply(Inbound request, byte[] body) {
    AMQP.BasicProperties properties =
        Messages.TRANSIENT_JSON
            .builder()
            .correlationId(request.properties().getCorrelationId())
            .build();
    request.publishThenAck(request.properties().getReplyTo(), properties, body);
  }

  /**
   * Stops taking requests, answers those already batched, and waits for their replies' confirms.
   */
  void close(Duration drain) throws InterruptedException {
    consumer.cancel();
    batcher.close(drain); // answers what is queued
    consumer.close(drain);
  }

  /** The batch-size limits in force, for the start-up log. */
  static String describe(MicroBatcher.Limits limits) {
    return "batches of up to "
        + limits.maxRows()
        + " rows, waiting up to "
        + limits.maxWait().toNanos() / 1_000
        + " µs for more";
  }
}
