package io.mlqueue.gateway;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.ArrayList;
import java.util.List;

/**
 * The server span of each prediction request, after OpenTelemetry's HTTP semantic conventions: a
 * child of the W3C trace context the client sent ({@code traceparent}, {@code tracestate}), or the
 * root of a new trace, current on the request's thread while it is handled, so that the {@code
 * publish predict} span of its call to a worker is its child. {@link #OFF} does nothing and
 * allocates nothing.
 */
public final class HttpServerTracer {
  /** No tracing: {@link #start} returns a constant that does nothing. */
  public static final HttpServerTracer OFF = new HttpServerTracer(null, null);

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private HttpServerTracer(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /** Traces with {@code openTelemetry}'s tracer and propagator; {@link #OFF} for the no-op one. */
  public static HttpServerTracer of(OpenTelemetry openTelemetry) {
    if (openTelemetry == OpenTelemetry.noop()) {
      return OFF;
    }
    return new HttpServerTracer(
        openTelemetry.getTracer("io.mlqueue.gateway"),
        openTelemetry.getPropagators().getTextMapPropagator());
  }

  /**
   * Starts the server span of {@code req} and makes it current on this thread until {@link
   * ServerSpan#close}; {@link ServerSpan#NONE} when off.
   */
  ServerSpan start(ServerRequest req) {
    if (tracer == null) {
      return ServerSpan.NONE;
    }
    Context parent = propagator.extract(Context.root(), req, HEADERS);
    String method = req.prologue().method().text();
    // The route's pattern, not the path: one span name per endpoint, not per model name in /v2.
    String route = req.matchingPattern().orElse(null);
    Span span =
        tracer
            .spanBuilder(route == null ? method : method + " " + route)
            .setParent(parent)
            .setSpanKind(SpanKind.SERVER)
            .setAttribute(METHOD, method)
            .setAttribute(PATH, req.path().rawPath())
            .setAttribute(SCHEME, req.isSecure() ? "https" : "http")
            .startSpan();
    if (route != null) {
      span.setAttribute(ROUTE, route);
    }
    return new ServerSpan.Recording(span, span.makeCurrent());
  }

  /** A request's span; {@link #status} once the answer is known, then {@link #close}. */
  abstract static sealed class ServerSpan implements AutoCloseable {
    static final ServerSpan NONE = new None();

    /** Records the answer's status: 5xx marks the span as an error, as the conventions say. */
    abstract void status(int status, String code);

    @Override
    public abstract void close();

    private static final class None extends ServerSpan {
      @Override
      void status(int status, String code) {}

      @Override
      public void close() {}
    }

    static final class Recording extends ServerSpan {
      private final Span span;
      private final Scope scope;

      Recording(Span span, Scope scope) {
        this.span = span;
        this.scope = scope;
      }

      @Override
      void status(int status, String code) {
        span.setAttribute(STATUS, (long) status);
        if (status >= 500) {
          span.setStatus(StatusCode.ERROR, code);
          span.setAttribute(ERROR_TYPE, Integer.toString(status));
        }
      }

      @Override
      public void close() {
        scope.close();
        span.end();
      }
    }
  }

  /** Reads the W3C headers from a Helidon request. */
  private static final TextMapGetter<ServerRequest> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ServerRequest req) {
          List<String> names = new ArrayList<>();
          req.headers().forEach(h -> names.add(h.name()));
          return names;
        }

        @Override
        public String get(ServerRequest req, String key) {
          if (req == null) {
            return null;
          }
          HeaderName name = HeaderNames.create(key);
          return req.headers().contains(name) ? req.headers().get(name).get() : null;
        }
      };
}
