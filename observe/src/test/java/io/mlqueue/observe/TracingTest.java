package io.mlqueue.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TracingTest {
  @Test
  void withoutAnEndpointTracingIsTheNoOpApi() {
    for (Optional<String> none : java.util.List.of(Optional.<String>empty(), Optional.of(" "))) {
      Tracing tracing = Tracing.otlp("model", none);
      assertThat(tracing.enabled()).isFalse();
      assertThat(tracing.openTelemetry()).isSameAs(OpenTelemetry.noop());
      tracing.close();
    }
  }

  @Test
  void theEndpointIsABaseUrlToWhichTheTracesPathIsAppended() {
    assertThat(Tracing.tracesUrl("http://collector:4318"))
        .isEqualTo("http://collector:4318/v1/traces");
    assertThat(Tracing.tracesUrl("https://otel.example/base/"))
        .isEqualTo("https://otel.example/base/v1/traces");
    assertThatThrownBy(() -> Tracing.tracesUrl("collector:4317"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--otlp-endpoint");
    assertThatThrownBy(() -> Tracing.tracesUrl("grpc://collector:4317"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://");
  }

  @Test
  void spansCarryTheServiceNameAndReachTheProcessor() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    try (Tracing tracing = Tracing.of("metric", SimpleSpanProcessor.create(spans))) {
      assertThat(tracing.enabled()).isTrue();
      Span span = tracing.openTelemetry().getTracer("test").spanBuilder("x").startSpan();
      span.end();
      assertThat(spans.getFinishedSpanItems())
          .singleElement()
          .satisfies(
              s ->
                  assertThat(
                          s.getResource()
                              .getAttribute(
                                  io.opentelemetry.api.common.AttributeKey.stringKey(
                                      "service.name")))
                      .isEqualTo("mlqueue-metric"));
      assertThat(tracing.openTelemetry().getPropagators().getTextMapPropagator().fields())
          .contains("traceparent", "tracestate");
    }
  }
}
