package io.mlqueue.model.service;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Inbound;
import io.mlqueue.amqp.Messages;
import io.mlqueue.amqp.Outcome;
import io.mlqueue.amqp.QueueConsumer;
import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.Queues;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.model.ServableModel;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model worker. It consumes {@code features}, publishes each prediction to {@code y_pred} under
 * the same id, and acks the input only once the broker has confirmed the prediction; a message that
 * is not a valid feature vector for the model is dead-lettered with the reason, and never stops the
 * worker. It also answers the gateway's request/reply calls on {@code predict}, in micro-batches.
 * Several workers may consume the same queues: the broker spreads the messages over them.
 */
public final class ModelService implements AutoCloseable {
  /**
   * @param batchRows rows a micro-batch of request/reply calls holds at most
   * @param batchWait how long the first call of a batch waits for more at most
   * @param registry where the worker's meters go (the batch sizes)
   * @param maxMessageBytes the largest message body taken on {@code features} and {@code predict};
   *     a larger one is refused unparsed
   * @param observer sees the rows predicted on the stream (drift monitoring)
   */
  public record Config(
      int batchRows,
      Duration batchWait,
      MeterRegistry registry,
      int maxMessageBytes,
      RowObserver observer) {
    public static final int DEFAULT_BATCH_ROWS = 64;

    /**
     * None: batches grow by themselves under load (the next fills while one is predicted), and a
     * wait is pure latency for a model as cheap as a linear one; measured in docs/PERFORMANCE.md. A
     * model whose cost per call dominates (ONNX, a neural network) gains from a few milliseconds.
     */
    public static final Duration DEFAULT_BATCH_WAIT = Duration.ZERO;

    public Config {
      new MicroBatcher.Limits(batchRows, batchWait); // validates
      java.util.Objects.requireNonNull(registry, "registry");
      new MessageCodec(maxMessageBytes); // validates
      java.util.Objects.requireNonNull(observer, "observer");
    }

    /** No observer. */
    public Config(int batchRows, Duration batchWait, MeterRegistry registry, int maxMessageBytes) {
      this(batchRows, batchWait, registry, maxMessageBytes, RowObserver.NONE);
    }

    /** The same settings with {@code observer} seeing the stream's rows. */
    public Config withObserver(RowObserver observer) {
      return new Config(batchRows, batchWait, registry, maxMessageBytes, observer);
    }

    /** Messages up to {@link MessageCodec#DEFAULT_MAX_BYTES}. */
    public Config(int batchRows, Duration batchWait, MeterRegistry registry) {
      this(batchRows, batchWait, registry, MessageCodec.DEFAULT_MAX_BYTES);
    }

    /** Default batching; meters recorded nowhere. */
    public static Config defaults() {
      return new Config(DEFAULT_BATCH_ROWS, DEFAULT_BATCH_WAIT, new CompositeMeterRegistry());
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ModelService.class);

  private final LiveModel model;
  private final Shadow shadow;
  private final MessageCodec codec;
  private final AtomicLong predictions = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final QueueConsumer consumer;
  private final RequestServer requests;
  private final RequestServer challengerRequests; // null without a shadow
  private final RowObserver observer;

  private ModelService(
      Connection connection, AmqpSettings settings, LiveModel model, Shadow shadow, Config config)
      throws IOException {
    this.model = model;
    this.shadow = shadow;
    this.observer = config.observer();
    FunctionCounter.builder("mlqueue.model.swaps", model, LiveModel::swaps)
        .description("Models swapped in while serving (an alias moved)")
        .register(config.registry());
    FunctionCounter.builder("mlqueue.model.swaps.refused", model, LiveModel::refusals)
        .description("Replacement models refused: unreadable, or reading other features")
        .register(config.registry());
    Gauge.builder("mlqueue.model.version", model, m -> registryVersion(m.current()))
        .description("Registry version number of the model served now; NaN for a model from a file")
        .register(config.registry());
    ModelInfoGauge.bind(config.registry(), "champion", model);
    if (shadow.active()) {
      ModelInfoGauge.bind(config.registry(), "challenger", shadow.live());
    }
    this.codec = new MessageCodec(config.maxMessageBytes());
    this.consumer =
        QueueConsumer.open(connection, "model", settings)
            .declare(Queues.FEATURES, Queues.Y_PRED)
            .declare(shadow.active() ? new String[] {Queues.Y_PRED_SHADOW} : new String[0])
            .consume(Queues.FEATURES, this::onFeatures);
    MicroBatcher.Limits limits = new MicroBatcher.Limits(config.batchRows(), config.batchWait());
    this.requests =
        new RequestServer(
            connection, settings, model, limits, config.registry(), config.maxMessageBytes());
    log.info(
        "model: answering requests on {} in {}", Queues.PREDICT, RequestServer.describe(limits));
    // The gateway's canary share goes to the challenger's own queue.
    this.challengerRequests =
        shadow.active()
            ? new RequestServer(
                connection,
                settings,
                shadow.live(),
                limits,
                config.registry(),
                config.maxMessageBytes(),
                Queues.PREDICT_CHALLENGER)
            : null;
  }

  /** Starts consuming at once, with the default batching. */
  public static ModelService start(
      Connection connection, AmqpSettings settings, ServableModel model) throws IOException {
    return start(connection, settings, model, Config.defaults());
  }

  /** Starts consuming at once, serving {@code model} for good. */
  public static ModelService start(
      Connection connection, AmqpSettings settings, ServableModel model, Config config)
      throws IOException {
    return start(connection, settings, new LiveModel(model), config);
  }

  /** Starts consuming at once, serving whatever {@code model} holds at each message or batch. */
  public static ModelService start(
      Connection connection, AmqpSettings settings, LiveModel model, Config config)
      throws IOException {
    return start(connection, settings, model, Shadow.NONE, config);
  }

  /**
   * Starts consuming at once, serving {@code model} as the champion (on {@code y_pred}) and
   * predicting every {@code features} message with {@code shadow}'s challenger too (on {@code
   * y_pred_shadow}).
   */
  public static ModelService start(
      Connection connection, AmqpSettings settings, LiveModel model, Shadow shadow, Config config)
      throws IOException {
    ModelService service = new ModelService(connection, settings, model, shadow, config);
    ServableModel first = model.current();
    log.info(
        "model: serving {} ({} features: {})",
        first.id(),
        first.featureCount(),
        String.join(", ", first.featureNames()));
    shadow
        .current()
        .ifPresent(c -> log.info("model: shadowed by {} on {}", c.id(), Queues.Y_PRED_SHADOW));
    return service;
  }

  /** A registry model's version is its number; other versions have none. */
  private static double registryVersion(ServableModel model) {
    String v = model.version();
    return v.matches("[1-9][0-9]{0,8}") ? Double.parseDouble(v) : Double.NaN;
  }

  private void onFeatures(Inbound message) {
    // One lease per message: the check, the prediction and its label all come from the same
    // version, which is not closed under the prediction if an alias moves meanwhile.
    try (LiveModel.Lease lease = this.model.lease()) {
      onFeatures(message, lease.model());
    }
  }

  private void onFeatures(Inbound message, ServableModel model) {
    FeatureRows rows;
    // Read in the message's own format (JSON without a content type), answered in the same.
    MessageCodec codec = this.codec.forContentType(message.properties().getContentType());
    try {
      rows = codec.decodeFeatureRows(message.body());
      message.identify(rows.ids()[0].text(), rows.size());
      check(model, rows);
    } catch (InvalidMessageException | IllegalArgumentException e) {
      rejected.incrementAndGet();
      message.deadLetter("invalid feature vector for model " + model.id() + ": " + e.getMessage());
      return;
    }
    double[] values = new double[rows.size()];
    if (rows.size() == 1) {
      values[0] = model.predict(rows.features()[0]);
    } else {
      model.predictBatch(rows.features(), values);
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        // Finite values can still be too large for the model: 1e308 times a coefficient overflows.
        // A non-finite prediction is no valid y_pred, so the input is what is wrong.
        rejected.incrementAndGet();
        message.deadLetter(
            "invalid feature vector for model "
                + model.id()
                + ": "
                + (rows.bulk() ? "row " + i + ": " : "")
                + overflow(values[i]));
        return;
      }
    }
    observer.observe(model, rows.features(), values);
    // Answered in kind: one y_pred per message, a bulk one for a bulk message.
    byte[] out =
        codec.encode(
            new ValueRows(rows.ids(), values, model.id(), rows.sentAtMillis(), rows.bulk()));
    Optional<byte[]> challenger = shadow.predict(rows, codec);
    AMQP.BasicProperties properties = Messages.persistent(codec.format());
    if (challenger.isEmpty()) {
      message.publishThenAck(Queues.Y_PRED, properties, out);
    } else {
      // Acked once the broker has confirmed both: neither prediction is lost if one publish fails.
      Outcome both = BothConfirmed.of(message.ackOnConfirm());
      message.publish(Queues.Y_PRED, properties, out, both);
      message.publish(Queues.Y_PRED_SHADOW, properties, challenger.get(), both);
    }
    predictions.addAndGet(rows.size());
  }

  /**
   * Refuses a message with any row the model cannot take; a bulk message is taken or refused whole,
   * and the reason names the row.
   */
  private static void check(ServableModel model, FeatureRows rows) {
    if (!rows.bulk()) {
      model.checkFeatures(rows.features()[0]);
      return;
    }
    for (int i = 0; i < rows.size(); i++) {
      try {
        model.checkFeatures(rows.features()[i]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "row " + i + " (id " + rows.ids()[i] + "): " + e.getMessage(), e);
      }
    }
  }

  /** Why a prediction of {@code value}, not finite, cannot be published. */
  static String overflow(double value) {
    return "the prediction is not a finite number (" + value + "): values too large for the model";
  }

  /** Rows predicted and published so far (confirmed or about to be). */
  public long predictions() {
    return predictions.get();
  }

  /** Messages dead-lettered as invalid so far. */
  public long rejected() {
    return rejected.get();
  }

  /** The model served now. */
  public ServableModel model() {
    return model.current();
  }

  /** Stops consuming and waits up to {@code drain} for the last predictions to be confirmed. */
  public void close(Duration drain) throws InterruptedException {
    requests.close(drain);
    if (challengerRequests != null) {
      challengerRequests.close(drain);
    }
    consumer.close(drain);
    log.info("model: stopped after {} predictions, {} rejected", predictions.get(), rejected.get());
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(10));
  }
}
