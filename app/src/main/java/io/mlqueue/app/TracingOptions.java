package io.mlqueue.app;

import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.MessageTracer;
import io.mlqueue.observe.Tracing;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --otlp-endpoint}: OpenTelemetry traces of the messages a service handles. */
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

  /** The endpoint: the option (or {@code MLQUEUE_OTLP_ENDPOINT}), else OpenTelemetry's variable. */
  Optional<String> endpoint(Map<String, String> environment) {
    if (endpoint != null && !endpoint.isBlank()) {
      return Optional.of(endpoint.strip());
    }
    return Optional.ofNullable(environment.get(Tracing.ENDPOINT_ENV)).filter(e -> !e.isBlank());
  }

  /** The service's tracing: the caller closes it after the service, to send the last spans. */
  Tracing start(String service) {
    return Tracing.otlp(service, endpoint(System.getenv()));
  }

  /** {@code settings} with messages traced by {@code tracing} (untouched when it is off). */
  static AmqpSettings traced(AmqpSettings settings, Tracing tracing) {
    return tracing.enabled()
        ? settings.withTracer(MessageTracer.of(tracing.openTelemetry()))
        : settings;
  }
}
