package io.mlqueue.observe;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's OpenTelemetry: off (the no-op API: nothing recorded, nothing sent, no message
 * headers) unless an OTLP endpoint is given, then the SDK with W3C trace-context propagation, a
 * resource named {@code mlqueue-<service>}, and spans batched to {@code <endpoint>/v1/traces} over
 * OTLP/HTTP (protobuf). Closing it flushes the spans still batched and stops the exporter.
 *
 * <p>Which traces are recorded is the {@link TraceSampling sampler's} choice: all of them unless
 * the user asks for a share, and always what the caller's trace context decided, so that a trace is
 * either whole in every service or in none.
 *
 * <p>Only traces: the services' metrics are Prometheus's ({@link MetricsServer}), their logs
 * standard error.
 */
public final class Tracing implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);

  /** The standard environment variable for the OTLP endpoint, read when no option is given. */
  public static final String ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT";

  private static final Tracing OFF = new Tracing(OpenTelemetry.noop(), null);

  private final OpenTelemetry openTelemetry;
  private final OpenTelemetrySdk sdk; // null when off

  private Tracing(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk) {
    this.openTelemetry = openTelemetry;
    this.sdk = sdk;
  }

  /** No tracing: the no-op API. */
  public static Tracing off() {
    return OFF;
  }

  /**
   * Tracing to the OTLP/HTTP receiver at {@code endpoint} (its base URL, e.g. {@code
   * http://collector:4318}, as {@value #ENDPOINT_ENV} gives it; {@code /v1/traces} is appended), or
   * off when {@code endpoint} is empty.
   */
  public static Tracing otlp(String service, Optional<String> endpoint) {
    return otlp(service, endpoint, Sampler.parentBased(Sampler.alwaysOn()));
  }

  /**
   * Tracing to the OTLP/HTTP receiver at {@code endpoint}, recording the traces {@code sampler}
   * chooses (see {@link TraceSampling}), or off when {@code endpoint} is empty.
   */
  public static Tracing otlp(String service, Optional<String> endpoint, Sampler sampler) {
    if (endpoint.isEmpty() || endpoint.get().isBlank()) {
      return OFF;
    }
    String url = tracesUrl(endpoint.get().strip());
    Tracing tracing =
        of(
            service,
            BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(url).build())
                .build(),
            sampler);
    log.info("{}: sending traces to {} ({})", service, url, sampler.getDescription());
    return tracing;
  }

  /**
   * Tracing with every trace recorded and its spans going to {@code processor}: for tests (an
   * in-memory exporter behind a simple processor).
   */
  public static Tracing of(String service, SpanProcessor processor) {
    return of(service, processor, Sampler.parentBased(Sampler.alwaysOn()));
  }

  /** Tracing with the traces {@code sampler} chooses recorded and sent to {@code processor}. */
  public static Tracing of(String service, SpanProcessor processor, Sampler sampler) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), "mlqueue-" + service)));
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .setResource(resource)
                    .addSpanProcessor(processor)
                    .setSampler(sampler)
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    return new Tracing(sdk, sdk);
  }

  /**
   * The URL spans are posted to: {@code endpoint} with {@code /v1/traces} appended, as the OTLP
   * exporter specification says of {@value #ENDPOINT_ENV}.
   *
   * @throws IllegalArgumentException when {@code endpoint} is no http(s) URL
   */
  static String tracesUrl(String endpoint) {
    URI uri;
    try {
      uri = URI.create(endpoint);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--otlp-endpoint is not a URL: " + endpoint, e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--otlp-endpoint must be an http:// or https:// URL (OTLP over HTTP), was " + endpoint);
    }
    return endpoint.endsWith("/") ? endpoint + "v1/traces" : endpoint + "/v1/traces";
  }

  /** Whether spans are recorded and exported. */
  public boolean enabled() {
    return sdk != null;
  }

  /** The API to trace with: the no-op one when off. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Sends the spans still batched (waiting up to 10 s) and stops exporting. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
