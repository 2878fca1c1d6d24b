package io.mlqueue.amqp;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Map;

/**
 * The AMQP headers table as a carrier of W3C trace context ({@code traceparent}, {@code
 * tracestate}): what an OpenTelemetry propagator writes into a message and reads back out of it.
 *
 * <p>The RabbitMQ client hands header strings back as {@code LongString} (bytes), not {@link
 * String}, so values are read with {@code toString()}, which decodes them as UTF-8.
 */
public final class TraceHeaders
    implements TextMapGetter<Map<String, Object>>, TextMapSetter<Map<String, Object>> {
  /** The one instance: it holds no state. */
  public static final TraceHeaders INSTANCE = new TraceHeaders();

  private TraceHeaders() {}

  @Override
  public Iterable<String> keys(Map<String, Object> headers) {
    return headers.keySet();
  }

  @Override
  public String get(Map<String, Object> headers, String key) {
    if (headers == null) {
      return null;
    }
    Object value = headers.get(key);
    return value == null ? null : value.toString();
  }

  @Override
  public void set(Map<String, Object> headers, String key, String value) {
    if (headers != null) {
      headers.put(key, value);
    }
  }
}
