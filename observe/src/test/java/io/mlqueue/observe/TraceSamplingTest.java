package io.mlqueue.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class TraceSamplingTest {
  private static final Map<String, String> NONE = Map.of();

  @Test
  void byDefaultEveryTraceIsRecordedAndACallersDecisionIsFollowed() {
    assertThat(TraceSampling.sampler(OptionalDouble.empty(), NONE))
        .isEqualTo(Sampler.parentBased(Sampler.alwaysOn()));
  }

  @Test
  void theOptionsShareIsParentBasedAndWinsOverTheEnvironment() {
    Map<String, String> env =
        Map.of(TraceSampling.SAMPLER_ENV, "always_off", TraceSampling.SAMPLER_ARG_ENV, "0.5");
    assertThat(TraceSampling.sampler(OptionalDouble.of(0.1), env))
        .isEqualTo(Sampler.parentBased(Sampler.traceIdRatioBased(0.1)));
  }

  @Test
  void openTelemetrysVariablesNameTheSamplerAndItsShare() {
    assertThat(sampler("always_on", null)).isEqualTo(Sampler.alwaysOn());
    assertThat(sampler("always_off", null)).isEqualTo(Sampler.alwaysOff());
    assertThat(sampler("parentbased_always_off", null))
        .isEqualTo(Sampler.parentBased(Sampler.alwaysOff()));
    assertThat(sampler("TraceIdRatio", "0.25")).isEqualTo(Sampler.traceIdRatioBased(0.25));
    assertThat(sampler("parentbased_traceidratio", "0.01"))
        .isEqualTo(Sampler.parentBased(Sampler.traceIdRatioBased(0.01)));
    // The specification's default argument of the ratio samplers is 1.0.
    assertThat(sampler("traceidratio", null)).isEqualTo(Sampler.traceIdRatioBased(1.0));
  }

  @Test
  void aBadSettingIsRefusedNamingItAndWhatIsAllowed() {
    assertThatThrownBy(() -> TraceSampling.sampler(OptionalDouble.of(1.5), NONE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--trace-sample-ratio must be a share of traces from 0 to 1, was 1.5");
    assertThatThrownBy(() -> TraceSampling.sampler(OptionalDouble.of(Double.NaN), NONE))
        .hasMessageContaining("--trace-sample-ratio");
    assertThatThrownBy(() -> sampler("traceidratio", "ten percent"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "OTEL_TRACES_SAMPLER_ARG=ten percent is not a number; give the share of traces, 0 to 1");
    assertThatThrownBy(() -> sampler("parentbased_traceidratio", "-0.1"))
        .hasMessage("OTEL_TRACES_SAMPLER_ARG must be a share of traces from 0 to 1, was -0.1");
    assertThatThrownBy(() -> sampler("jaeger_remote", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("OTEL_TRACES_SAMPLER=jaeger_remote is not a sampler mlqueue knows")
        .hasMessageContaining("parentbased_traceidratio");
  }

  @Test
  void aShareOfNewTracesIsRecordedButACallersSampledTraceAlwaysIs() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    Sampler tenth = TraceSampling.sampler(OptionalDouble.of(0.1), NONE);
    try (Tracing tracing = Tracing.of("gateway", SimpleSpanProcessor.create(spans), tenth)) {
      Tracer tracer = tracing.openTelemetry().getTracer("test");
      int roots = 10_000;
      for (int i = 0; i < roots; i++) {
        tracer.spanBuilder("root").startSpan().end();
      }
      // Trace ids are random, so the share kept is binomial: 1,000 expected, sd 30.
      assertThat(spans.getFinishedSpanItems()).hasSizeBetween(850, 1150);
      spans.reset();

      for (boolean sampled : new boolean[] {true, false}) {
        SpanContext caller =
            SpanContext.createFromRemoteParent(
                "4bf92f3577b34da6a3ce929d0e0e4736",
                "00f067aa0ba902b7",
                sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault());
        for (int i = 0; i < 100; i++) {
          tracer
              .spanBuilder("child")
              .setParent(Context.root().with(Span.wrap(caller)))
              .startSpan()
              .end();
        }
      }
      // All 100 children of the sampled caller, none of the other's: traces stay whole.
      assertThat(spans.getFinishedSpanItems())
          .hasSize(100)
          .allSatisfy(s -> assertThat(s.getParentSpanContext().isSampled()).isTrue());
    }
  }

  private static Sampler sampler(String name, String arg) {
    Map<String, String> env = new java.util.HashMap<>();
    env.put(TraceSampling.SAMPLER_ENV, name);
    if (arg != null) {
      env.put(TraceSampling.SAMPLER_ARG_ENV, arg);
    }
    return TraceSampling.sampler(OptionalDouble.empty(), env);
  }
}
