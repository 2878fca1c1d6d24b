package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Traces messages as OpenTelemetry's messaging semantic conventions describe for RabbitMQ: a
 * producer span {@code publish <queue>} around each publish, whose context travels in the message's
 * headers as W3C {@code traceparent} (and {@code tracestate}), and a consumer span {@code process
 * <queue>} around each delivery's handling, a child of the context the message carries. So one
 * trace follows a message from features through model to metric, or from the gateway through model
 * back to the gateway.
 *
 * <p>{@link #OFF}, the default, adds no header to any message and creates nothing: every method
 * returns a constant, so the stream pays one field read per message for tracing being possible.
 *
 * <p>The attribute keys are spelled out here rather than taken from OpenTelemetry's incubating
 * semantic-conventions artifact, whose names still move between releases.
 */
public final class MessageTracer {
  /** Traces nothing and adds no headers. */
  public static final MessageTracer OFF = new MessageTracer(null, null);

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<Boolean> TEMPORARY =
      AttributeKey.booleanKey("messaging.destination.temporary");
  static final AttributeKey<String> OPERATION_TYPE =
      AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> OPERATION_NAME =
      AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<Long> BATCH_COUNT =
      AttributeKey.longKey("messaging.batch.message_count");
  static final AttributeKey<String> ROUTING_KEY =
      AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  /**
   * The span-name stand-in for a reply queue (a {@code reply_to}: RabbitMQ's {@code
   * amq.rabbitmq.reply-to…}, or a server-named queue on other brokers): the conventions keep such
   * names out of span names (one per gateway connection), so the spans of replies are {@code
   * publish (temporary)} and {@code process (temporary)}, with the real name in {@code
   * messaging.destination.name}.
   */
  static final String TEMPORARY_NAME = "(temporary)";

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private MessageTracer(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /**
   * Traces with {@code openTelemetry}'s tracer and propagator; {@link #OFF} for {@link
   * OpenTelemetry#noop()}.
   */
  public static MessageTracer of(OpenTelemetry openTelemetry) {
    if (openTelemetry == OpenTelemetry.noop()) {
      return OFF;
    }
    return new MessageTracer(
        openTelemetry.getTracer("io.mlqueue.amqp"),
        openTelemetry.getPropagators().getTextMapPropagator());
  }

  /** Whether messages are traced; when false, no method does anything. */
  public boolean enabled() {
    return tracer != null;
  }

  /**
   * Starts the producer span of a publish to {@code queue} (on the default exchange) under {@code
   * parent}; {@link Span#getInvalid()} when off.
   *
   * @param temporary whether {@code queue} is a reply queue (named by a {@code reply_to})
   * @param messageId the mlqueue id of the message (its first row's for a bulk one); may be null
   * @param rows the rows the message carries
   */
  public Span startPublish(
      String queue, boolean temporary, Context parent, String messageId, int rows) {
    return startPublish(queue, temporary, parent, List.of(), messageId, rows);
  }

  /**
   * {@link #startPublish(String, boolean, Context, String, int)} for a message that carries the
   * work of several traces: it is a child of {@code parent} and links to the others ({@code
   * links}), as the messaging conventions have it for a batch.
   */
  public Span startPublish(
      String queue,
      boolean temporary,
      Context parent,
      List<SpanContext> links,
      String messageId,
      int rows) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    return start(
        SpanKind.PRODUCER, "publish", "send", queue, temporary, parent, links, messageId, rows);
  }

  /**
   * {@code properties} with {@code span}'s context added to their headers (a new copy; the
   * originals, often shared constants, are never changed); {@code properties} themselves when off.
   */
  public AMQP.BasicProperties inject(Span span, AMQP.BasicProperties properties) {
    if (tracer == null || !span.getSpanContext().isValid()) {
      return properties;
    }
    Map<String, Object> headers =
        properties.getHeaders() == null ? new HashMap<>(4) : new HashMap<>(properties.getHeaders());
    propagator.inject(Context.root().with(span), headers, TraceHeaders.INSTANCE);
    return properties.builder().headers(headers).build();
  }

  /**
   * Starts the consumer span of a delivery from {@code queue}, a child of the context its headers
   * carry (a root span if they carry none), current on this thread until closed; {@link
   * MessageSpan#NONE} when off. {@code temporary} says that {@code queue} is a reply queue.
   */
  public MessageSpan process(String queue, boolean temporary, AMQP.BasicProperties properties) {
    if (tracer == null) {
      return MessageSpan.NONE;
    }
    Context parent =
        propagator.extract(Context.root(), properties.getHeaders(), TraceHeaders.INSTANCE);
    return new MessageSpan.Recording(
        start(
            SpanKind.CONSUMER, "process", "process", queue, temporary, parent, List.of(), null, 1),
        parent);
  }

  /**
   * Starts an internal span named {@code name} with no parent: the root of the trace of something
   * that sends several messages at once (features' pair of {@code y_true} and {@code features});
   * {@link Span#getInvalid()} when off.
   */
  public Span startRoot(String name) {
    if (tracer == null) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name).setNoParent().setSpanKind(SpanKind.INTERNAL).startSpan();
  }

  private Span start(
      SpanKind kind,
      String operation,
      String type,
      String queue,
      boolean temporary,
      Context parent,
      List<SpanContext> links,
      String messageId,
      int rows) {
    SpanBuilder span =
        tracer
            .spanBuilder(operation + " " + (temporary ? TEMPORARY_NAME : queue))
            .setParent(parent)
            .setSpanKind(kind)
            .setAttribute(SYSTEM, "rabbitmq")
            .setAttribute(DESTINATION, queue)
            .setAttribute(OPERATION_TYPE, type)
            .setAttribute(OPERATION_NAME, operation)
            // Every queue is reached through the default exchange, whose routing key is its name.
            .setAttribute(ROUTING_KEY, queue);
    if (temporary) {
      span.setAttribute(TEMPORARY, true);
    }
    if (messageId != null) {
      span.setAttribute(MESSAGE_ID, messageId);
    }
    if (rows > 1) {
      span.setAttribute(BATCH_COUNT, (long) rows);
    }
    for (SpanContext link : links) {
      span.addLink(link);
    }
    return span.startSpan();
  }
}
