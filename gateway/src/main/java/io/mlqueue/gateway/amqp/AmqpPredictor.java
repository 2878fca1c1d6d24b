package io.mlqueue.gateway.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.MessageSpan;
import io.mlqueue.amqp.MessageTracer;
import io.mlqueue.amqp.Messages;
import io.mlqueue.amqp.Topology;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictCodec;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.contract.Queues;
import io.mlqueue.gateway.Predictor;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/reply over AMQP: publishes each call to queue {@code predict} with a {@code reply_to} and
 * a {@code correlation_id} of its own, and completes the caller's future when the matching reply
 * comes.
 *
 * <p>Replies come back on RabbitMQ's direct reply-to ({@code amq.rabbitmq.reply-to}: no queue to
 * declare, nothing to clean up), or on an exclusive server-named queue on brokers without it (the
 * embedded Qpid). Every gateway has its own, so several gateways never see each other's answers.
 * Requests are transient and, on RabbitMQ, expire with the caller's timeout: a request nobody waits
 * for any more is dropped by the broker instead of being worked on.
 *
 * <p>Whether a worker consumes the request queue is polled every {@value #WORKER_POLL_MILLIS} ms,
 * so a call without one fails at once rather than after its timeout.
 *
 * <p>Calls that wait together go as one message of up to {@value #MAX_ROWS_PER_MESSAGE} rows (see
 * {@link CallCoalescer}); a lone call goes at once, alone.
 *
 * <p>Traced ({@link AmqpSettings#tracer()}), each request message starts a trace with its {@code
 * publish predict} span, and the reply's {@code process (temporary)} span ends it; calls coalesced
 * into one message share its trace.
 */
public final class AmqpPredictor implements Predictor {
  private static final Logger log = LoggerFactory.getLogger(AmqpPredictor.class);
  private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
  static final long WORKER_POLL_MILLIS = 100;

  /** Worker polls between two publishes that let the broker report an alarm (once a second). */
  private static final int ALARM_CHECK_EVERY = 10;

  private long polls; // the poller thread's alone

  /** As many rows as a model worker predicts at once by default ({@code model --batch-size}). */
  static final int MAX_ROWS_PER_MESSAGE = 64;

  private final Connection connection;
  private final String requestQueue;
  private final Channel channel;
  private final MessageTracer tracer;
  private volatile Channel probe; // for passive declares: an error closes it, and it is reopened
  private final PredictCodec codec = new PredictCodec();

  /** Messages sent and not yet answered, by correlation id, with the calls each carries. */
  private final Map<String, List<CallCoalescer.Call>> pending = new ConcurrentHashMap<>();

  /**
   * Describe calls not yet answered, by correlation id ("d" and a number: never a prediction's).
   */
  private final Map<String, CompletableFuture<ModelDescription>> describing =
      new ConcurrentHashMap<>();

  private final AtomicLong nextCorrelation = new AtomicLong();
  private final CallCoalescer coalescer;
  private final DistributionSummary callsPerMessage;
  private final ScheduledExecutorService poller;
  private final Counter lateReplies;
  private final boolean rabbitMq;
  private volatile String replyTo;
  private volatile int workers;

  /** Why the broker blocks publishing, while it does; null otherwise. */
  private volatile String blocked;

  private AmqpPredictor(
      Connection connection, AmqpSettings settings, MeterRegistry registry, String requestQueue)
      throws IOException {
    this.connection = connection;
    this.requestQueue = requestQueue;
    this.channel = connection.createChannel();
    this.tracer = settings.tracer();
    // Replies to calls in flight can no longer arrive once the channel is gone (direct reply-to,
    // or an exclusive reply queue, lives and dies with it): fail them now, as "broker down" (503),
    // rather than let each wait out its timeout (504). A recovered channel serves new calls.
    channel.addShutdownListener(
        cause ->
            failPending(
                new BrokerDownException(
                    "the connection to the broker was lost ("
                        + cause.getMessage()
                        + "); the call may or may not have reached a worker")));
    Topology.declare(channel, settings, "gateway", requestQueue);
    // During a resource alarm a publish would wait until it clears: answer 503 at once instead.
    connection.addBlockedListener(reason -> blocked = reason, () -> blocked = null);
    Object product = connection.getServerProperties().get("product");
    this.rabbitMq = product != null && product.toString().contains("RabbitMQ");
    this.replyTo = listenForReplies(connection);
    this.probe = connection.createChannel();
    this.lateReplies =
        Counter.builder("mlqueue.gateway.late.replies")
            .description("Replies that came after their call had timed out; dropped")
            .register(registry);
    Gauge.builder("mlqueue.gateway.pending.calls", this, AmqpPredictor::pendingCalls)
        .description("Calls waiting for their reply")
        .register(registry);
    this.callsPerMessage =
        DistributionSummary.builder("mlqueue.gateway.calls.per.message")
            .description("Client calls carried by one request message (dynamic batching)")
            .register(registry);
    this.coalescer = new CallCoalescer(MAX_ROWS_PER_MESSAGE, this::send);
    Gauge.builder("mlqueue.gateway.workers", this, p -> p.workers)
        .description("Model workers consuming the request queue, as last seen")
        .register(registry);
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gateway-worker-poll");
              t.setDaemon(true);
              return t;
            });
    pollWorkers();
    poller.scheduleWithFixedDelay(
        this::pollWorkers, WORKER_POLL_MILLIS, WORKER_POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Declares the request queue, starts listening for replies and watching for workers. */
  public static AmqpPredictor start(
      Connection connection, AmqpSettings settings, MeterRegistry registry) throws IOException {
    return start(connection, settings, registry, Queues.PREDICT);
  }

  /**
   * As {@link #start(Connection, AmqpSettings, MeterRegistry)}, for the calls of {@code
   * requestQueue}: {@code predict.challenger} for the canary's share.
   */
  public static AmqpPredictor start(
      Connection connection, AmqpSettings settings, MeterRegistry registry, String requestQueue)
      throws IOException {
    AmqpPredictor predictor = new AmqpPredictor(connection, settings, registry, requestQueue);
    log.info(
        "gateway: calls go to queue {}, replies come back on {}", requestQueue, predictor.replyTo);
    return predictor;
  }

  private String listenForReplies(Connection connection) throws IOException {
    String queue;
    if (rabbitMq) {
      queue = DIRECT_REPLY_TO;
    } else {
      queue = channel.queueDeclare().getQueue(); // exclusive, auto-delete, server-named
      if (connection instanceof AutorecoveringConnection recoverable) {
        // After a recovery the broker names the queue anew; calls must name the new one.
        recoverable.addQueueRecoveryListener(
            (oldName, newName) -> {
              if (oldName.equals(replyTo)) {
                replyTo = newName;
              }
            });
      }
    }
    // Replies are acked on arrival: a reply whose caller is gone has nowhere else to go.
    channel.basicConsume(queue, true, "gateway-replies", new Replies());
    return queue;
  }

  @Override
  public CompletableFuture<PredictReply> predict(PredictRequest request, Duration timeout) {
    if (!channel.isOpen()) {
      return CompletableFuture.failedFuture(
          new BrokerDownException("the gateway's broker connection is down; it is reconnecting"));
    }
    String alarm = blocked;
    if (alarm != null) {
      return CompletableFuture.failedFuture(
          new BrokerBlockedException("the broker blocks publishing: " + alarm));
    }
    if (workers == 0) {
      return CompletableFuture.failedFuture(
          new NoWorkerException("no model worker consumes queue '" + requestQueue + "'"));
    }
    CompletableFuture<PredictReply> result = new CompletableFuture<>();
    result.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    // The caller's context (its HTTP request's server span) becomes the parent of the publish.
    Context context = tracer.enabled() ? Context.current() : Context.root();
    coalescer.add(
        new CallCoalescer.Call(request, result, System.nanoTime() + timeout.toNanos(), context));
    return result;
  }

  /** Publishes {@code calls} as one request message; on the coalescer's thread, the only sender. */
  private void send(List<CallCoalescer.Call> calls) {
    String correlationId = Long.toString(nextCorrelation.incrementAndGet(), 36);
    long timeoutNanos = 1;
    for (CallCoalescer.Call call : calls) {
      timeoutNanos = Math.max(timeoutNanos, call.deadlineNanos() - System.nanoTime());
    }
    pending.put(correlationId, calls);
    // Whatever ends the calls (reply, timeout, cancel, failure) forgets the message once the last
    // of them is done: pending entries never leak.
    CompletableFuture<?> allDone =
        calls.size() == 1
            ? calls.get(0).result()
            : CompletableFuture.allOf(
                calls.stream().map(CallCoalescer.Call::result).toArray(CompletableFuture[]::new));
    allDone.whenComplete((done, error) -> pending.remove(correlationId));
    AMQP.BasicProperties.Builder properties =
        Messages.TRANSIENT_JSON.builder().replyTo(replyTo).correlationId(correlationId);
    if (rabbitMq) {
      // RabbitMQ reads expiration as a TTL in milliseconds; Qpid reads it as an absolute time.
      properties.expiration(
          Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos))));
    }
    callsPerMessage.record(calls.size());
    PredictRequest request = CallCoalescer.merge(calls);
    // A child of the first call's context (its HTTP request's span, when the gateway traces them);
    // the other calls coalesced into the message are linked, as the messaging conventions do for
    // a batch.
    Span span =
        tracer.startPublish(
            requestQueue,
            false,
            calls.get(0).context(),
            calls.size() == 1 || !tracer.enabled() ? List.of() : linked(calls),
            request.id().text(),
            1);
    try {
      channel.basicPublish(
          "", requestQueue, tracer.inject(span, properties.build()), codec.encode(request));
    } catch (IOException | ShutdownSignalException e) {
      BrokerDownException down =
          new BrokerDownException("sending the call failed: " + e.getMessage());
      calls.forEach(c -> c.result().completeExceptionally(down));
    } finally {
      span.end();
    }
  }

  /** The trace contexts of {@code calls} after the first, where they have one. */
  private static List<SpanContext> linked(List<CallCoalescer.Call> calls) {
    List<SpanContext> links = new ArrayList<>(calls.size() - 1);
    for (CallCoalescer.Call call : calls.subList(1, calls.size())) {
      SpanContext context = Span.fromContext(call.context()).getSpanContext();
      if (context.isValid()) {
        links.add(context);
      }
    }
    return links;
  }

  /**
   * Fails every call sent and not yet answered, describe calls too; whoever removes an entry
   * completes it.
   */
  private void failPending(RuntimeException why) {
    for (String correlationId : List.copyOf(pending.keySet())) {
      List<CallCoalescer.Call> calls = pending.remove(correlationId);
      if (calls != null) {
        calls.forEach(c -> c.result().completeExceptionally(why));
      }
    }
    for (String correlationId : List.copyOf(describing.keySet())) {
      CompletableFuture<ModelDescription> description = describing.remove(correlationId);
      if (description != null) {
        description.completeExceptionally(why);
      }
    }
  }

  /**
   * Sends a describe call straight away, beside the coalescer: it is rare (the V2 API's metadata),
   * and the client's publishes on one channel are serialised by the channel itself.
   */
  @Override
  public CompletableFuture<ModelDescription> describe(Duration timeout) {
    if (!channel.isOpen()) {
      return CompletableFuture.failedFuture(
          new BrokerDownException("the gateway's broker connection is down; it is reconnecting"));
    }
    if (workers == 0) {
      return CompletableFuture.failedFuture(
          new NoWorkerException("no model worker consumes queue '" + requestQueue + "'"));
    }
    String correlationId = "d" + nextCorrelation.incrementAndGet();
    CompletableFuture<ModelDescription> result = new CompletableFuture<>();
    result.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
    describing.put(correlationId, result);
    result.whenComplete((done, error) -> describing.remove(correlationId));
    AMQP.BasicProperties.Builder properties =
        Messages.TRANSIENT_JSON
            .builder()
            .type(PredictCodec.DESCRIBE_TYPE)
            .replyTo(replyTo)
            .correlationId(correlationId);
    if (rabbitMq) {
      properties.expiration(Long.toString(Math.max(1, timeout.toMillis())));
    }
    MessageId id = MessageId.random();
    // Published on the caller's thread: a child of its context (the HTTP request's span).
    Span span = tracer.startPublish(requestQueue, false, Context.current(), id.text(), 1);
    try {
      channel.basicPublish(
          "", requestQueue, tracer.inject(span, properties.build()), codec.encodeDescribe(id));
    } catch (IOException | ShutdownSignalException e) {
      result.completeExceptionally(
          new BrokerDownException("sending the describe call failed: " + e.getMessage()));
    } finally {
      span.end();
    }
    return result;
  }

  @Override
  public Readiness readiness() {
    return new Readiness(connection.isOpen() && channel.isOpen(), workers);
  }

  /** Calls waiting for their reply now, sent or not yet. */
  public int pendingCalls() {
    int calls = coalescer.waiting() + describing.size();
    for (List<CallCoalescer.Call> message : pending.values()) {
      calls += message.size();
    }
    return calls;
  }

  private void pollWorkers() {
    try {
      if (!probe.isOpen() && connection.isOpen()) {
        probe = connection.createChannel(); // closed by an error (the queue was deleted, say)
      }
      workers = probe.queueDeclarePassive(requestQueue).getConsumerCount();
      if (blocked == null && ++polls % ALARM_CHECK_EVERY == 0) {
        // RabbitMQ tells a connection of a resource alarm only once it publishes: an empty
        // message no queue receives (routing key "") lets an idle gateway learn of it now, rather
        // than from a call that then waits out its timeout.
        probe.basicPublish("", "", null, new byte[0]);
      }
    } catch (IOException | ShutdownSignalException e) {
      // Down or recovering: the probe channel comes back with the connection.
      workers = 0;
      log.debug("gateway: worker poll failed: {}", e.getMessage());
    }
  }

  private final class Replies extends DefaultConsumer {
    Replies() {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      MessageSpan trace = tracer.process(replyTo, true, properties);
      try {
        handle(trace, properties, body);
      } finally {
        trace.close();
      }
    }

    private void handle(MessageSpan trace, AMQP.BasicProperties properties, byte[] body) {
      String correlationId = properties.getCorrelationId();
      CompletableFuture<ModelDescription> described =
          correlationId == null ? null : describing.remove(correlationId);
      if (described != null) {
        try {
          described.complete(codec.decodeDescription(body));
        } catch (InvalidMessageException e) {
          described.completeExceptionally(e);
        }
        return;
      }
      List<CallCoalescer.Call> calls = correlationId == null ? null : pending.remove(correlationId);
      if (calls == null) {
        lateReplies.increment();
        long late = (long) lateReplies.count();
        // The first, then one in a thousand: an overloaded worker must not flood the log.
        if (late == 1 || late % 1_000 == 0) {
          log.info(
              "gateway: dropped a reply for call {} that had timed out ({} late replies so far)",
              correlationId,
              late);
        }
        return;
      }
      try {
        PredictReply reply = codec.decodeReply(body);
        trace.identify(reply.id().text(), 1);
        CallCoalescer.split(calls, reply);
      } catch (InvalidMessageException e) {
        IllegalStateException invalid =
            new IllegalStateException("the worker's reply is invalid: " + e.getMessage());
        calls.forEach(c -> c.result().completeExceptionally(invalid));
      }
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
    coalescer.close();
    failPending(new BrokerDownException("the gateway is stopping"));
    for (Channel c : new Channel[] {channel, probe}) {
      try {
        if (c.isOpen()) {
          c.close();
        }
      } catch (IOException | java.util.concurrent.TimeoutException | ShutdownSignalException e) {
        log.debug("gateway: closing a channel: {}", e.getMessage());
      }
    }
  }
}
