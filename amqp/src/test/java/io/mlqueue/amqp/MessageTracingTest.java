package io.mlqueue.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import io.mlqueue.broker.EmbeddedBroker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** W3C trace context in AMQP headers, spans per the messaging conventions, and nothing when off. */
class MessageTracingTest {
  private static EmbeddedBroker broker;
  private static AmqpSettings settings;
  private static Connection connection;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk sdk =
      OpenTelemetrySdk.builder()
          .setTracerProvider(
              SdkTracerProvider.builder()
                  .addSpanProcessor(SimpleSpanProcessor.create(spans))
                  .build())
          .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
          .build();
  private final MessageTracer tracer = MessageTracer.of(sdk);

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

  @AfterEach
  void closeSdk() {
    sdk.close();
  }

  @Test
  void traceparentAndTracestateRoundTripThroughTheHeaders() {
    SpanContext upstream =
        SpanContext.create(
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.builder().put("vendor", "v1").build());
    Span publish =
        tracer.startPublish("q", false, Context.root().with(Span.wrap(upstream)), "id-1", 1);
    AMQP.BasicProperties sent = tracer.inject(publish, Messages.PERSISTENT_JSON);
    publish.end();

    String publishId = publish.getSpanContext().getSpanId();
    assertThat(sent.getHeaders())
        .containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-" + publishId + "-01")
        .containsEntry("tracestate", "vendor=v1");
    assertThat(sent.getContentType()).isEqualTo(Messages.JSON);
    assertThat(Messages.PERSISTENT_JSON.getHeaders()).isNull(); // the shared constant is untouched

    // The client delivers header strings as LongString: read back as such.
    Map<String, Object> delivered = new HashMap<>();
    sent.getHeaders()
        .forEach((k, v) -> delivered.put(k, LongStringHelper.asLongString((String) v)));
    assertThat(delivered.get("traceparent")).isInstanceOf(LongString.class);
    try (MessageSpan process =
        tracer.process("q", false, sent.builder().headers(delivered).build())) {
      process.identify("id-1", 1);
      assertThat(Span.current().getSpanContext().getTraceId()).isEqualTo(upstream.getTraceId());
      assertThat(Span.current().getSpanContext().getTraceState().get("vendor")).isEqualTo("v1");
    }

    SpanData producer = span("publish q");
    SpanData consumer = span("process q");
    assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(producer.getParentSpanId()).isEqualTo(upstream.getSpanId());
    assertThat(consumer.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(consumer.getTraceId()).isEqualTo(upstream.getTraceId());
    assertThat(consumer.getParentSpanId()).isEqualTo(publishId);
    assertThat(consumer.getAttributes().get(AttributeKey.stringKey("messaging.message.id")))
        .isEqualTo("id-1");
  }

  @Test
  void offAddsNothing() {
    assertThat(MessageTracer.of(io.opentelemetry.api.OpenTelemetry.noop()))
        .isSameAs(MessageTracer.OFF);
    assertThat(MessageTracer.OFF.enabled()).isFalse();
    Span span = MessageTracer.OFF.startPublish("q", false, Context.current(), "id", 1);
    assertThat(span).isSameAs(Span.getInvalid());
    assertThat(MessageTracer.OFF.inject(span, Messages.PERSISTENT_JSON))
        .isSameAs(Messages.PERSISTENT_JSON);
    assertThat(MessageTracer.OFF.process("q", false, Messages.PERSISTENT_JSON))
        .isSameAs(MessageSpan.NONE);
    assertThat(MDC.get(MessageSpan.TRACE_ID)).isNull();
  }

  @Test
  void offAllocatesNothingPerMessage() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().threadId();
    MessageTracer off = MessageTracer.OFF;
    AMQP.BasicProperties properties = Messages.PERSISTENT_JSON;
    Object sink = null;
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 100_000; i++) {
      // What a delivery and its output cost the consume and publish paths when tracing is off.
      MessageSpan trace = off.process("q", false, properties);
      trace.identify("id", 1);
      Span span = off.startPublish("out", false, trace.context(), trace.messageId(), trace.rows());
      sink = off.inject(span, properties);
      span.end();
      trace.close();
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertThat(sink).isSameAs(properties);
    // A few hundred bytes of the measurement's own; one allocation per message would be 1.6 MB+.
    assertThat(allocated).as("bytes allocated for 100,000 untraced messages").isLessThan(16_000);
  }

  @Test
  void offAConsumerPublishesItsOutputWithoutHeaders() throws Exception {
    GetResponse out = relay(settings, "plain");
    assertThat(out.getProps().getHeaders()).isNull();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void onAConsumerPublishesItsOutputInTheTraceOfItsInput() throws Exception {
    AtomicReference<String> loggedTraceId = new AtomicReference<>();
    GetResponse out = relay(settings.withTracer(tracer), "traced", loggedTraceId);

    SpanData process = span("process traced.in");
    SpanData publish = span("publish traced.out");
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getParentSpanContext().isValid()).isFalse(); // the input carried no context
    assertThat(publish.getTraceId()).isEqualTo(process.getTraceId());
    assertThat(publish.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(loggedTraceId.get()).isEqualTo(process.getTraceId());
    assertThat(MDC.get(MessageSpan.TRACE_ID)).isNull();
    for (SpanData span : List.of(process, publish)) {
      assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.system")))
          .isEqualTo("rabbitmq");
      assertThat(span.getAttributes().get(AttributeKey.stringKey("messaging.message.id")))
          .isEqualTo("m-1");
    }
    assertThat(publish.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")))
        .isEqualTo("send");
    assertThat(process.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")))
        .isEqualTo("process");
    assertThat(
            publish
                .getAttributes()
                .get(AttributeKey.stringKey("messaging.rabbitmq.destination.routing_key")))
        .isEqualTo("traced.out");
    // Flags 01 (sampled), or 03 when the SDK also says its trace ids are random (W3C level 2).
    assertThat(out.getProps().getHeaders().get("traceparent").toString())
        .matches("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-0[13]");
  }

  private GetResponse relay(AmqpSettings consuming, String name) throws Exception {
    return relay(consuming, name, new AtomicReference<>());
  }

  /** Publishes to {@code name.in}; the consumer relays to {@code name.out}; returns the output. */
  private GetResponse relay(AmqpSettings consuming, String name, AtomicReference<String> traceId)
      throws Exception {
    QueueConsumer consumer =
        QueueConsumer.open(connection, "svc", consuming)
            .declare(name + ".in", name + ".out")
            .consume(
                name + ".in",
                m -> {
                  m.identify("m-1", 1);
                  traceId.set(MDC.get(MessageSpan.TRACE_ID));
                  m.publishThenAck(name + ".out", Messages.PERSISTENT_JSON, m.body());
                });
    Channel ch = connection.createChannel();
    try {
      ch.basicPublish("", name + ".in", Messages.PERSISTENT_JSON, "x".getBytes(UTF_8));
      return await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> ch.basicGet(name + ".out", true), r -> r != null);
    } finally {
      consumer.close();
      ch.close();
    }
  }

  private SpanData span(String name) {
    return await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals(name))
                    .findFirst(),
            java.util.Optional::isPresent)
        .get();
  }
}
