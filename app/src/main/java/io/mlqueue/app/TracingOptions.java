package io.mlqueue.app;

import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.MessageTracer;
import io.mlqueue.observe.TraceSampling;
import io.mlqueue.observe.Tracing;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import picocli.CommandLine.Option;

/**
 * {@code --otlp-endpoint} and {@code --trace-sample-ratio}: OpenTelemetry traces of the messages a
 * service handles, and which share of them is recorded.
 */
final class TracingOptions {
  @Option(
      names = "--otlp-endpoint",
      paramLabel = "URL",
      description =
          "Trace every message with OpenTelemetry and send the spans over OTLP/HTTP to URL (its base,"
              + " e.g. http://localhost:4318: /v1/traces is appended); W3C trace context then travels"
              + " in the messages' headers (default: environment variable "
              + Tracing.ENDPOINT_ENV
              + ", else off: no spans, no headers).")
  String endpoint;

  @Option(
      names = "--trace-sample-ratio",
      paramLabel = "SHARE",
      description =
          "Record this share (0 to 1) of the traces this service starts; a trace begun elsewhere is"
              + " recorded when its traceparent says so, so every trace kept is whole (default:"
              + " OpenTelemetry's "
              + TraceSampling.SAMPLER_ENV
              + " and "
              + TraceSampling.SAMPLER_ARG_ENV
              + ", else every trace).")
  Double sampleRatio;

  /** The endpoint: the option (or {@code MLQUEUE_OTLP_ENDPOINT}), else OpenTelemetry's variable. */
  Optional<String> endpoint(Map<String, String> environment) {
    if (endpoint != null && !endpoint.isBlank()) {
      return Optional.of(endpoint.strip());
    }
    return Optional.ofNullable(environment.get(Tracing.ENDPOINT_ENV)).filter(e -> !e.isBlank());
  }

  /** The service's tracing: the caller closes it after the service, to send the last spans. */
  Tracing start(String service) {
    Map<String, String> environment = System.getenv();
    return Tracing.otlp(service, endpoint(environment), sampler(environment));
  }

  /** The sampler: the option, else OpenTelemetry's variables, else every trace. */
  Sampler sampler(Map<String, String> environment) {
    return TraceSampling.sampler(
        sampleRatio == null ? OptionalDouble.empty() : OptionalDouble.of(sampleRatio), environment);
  }

  /** {@code settings} with messages traced by {@code tracing} (untouched when it is off). */
  static AmqpSettings traced(AmqpSettings settings, Tracing tracing) {
    return tracing.enabled()
        ? settings.withTracer(MessageTracer.of(tracing.openTelemetry()))
        : settings;
  }
}
