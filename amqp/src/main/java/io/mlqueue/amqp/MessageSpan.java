package io.mlqueue.amqp;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * The handling of one delivery: its consumer span ({@code process <queue>}), current on the
 * handling thread, and the MDC fields that put the message's trace id, span id and (once the
 * handler has read it) message id into every log line written meanwhile. {@link #NONE}, when
 * tracing is off, does nothing at all, so an untraced delivery costs no allocation here.
 */
public class MessageSpan implements AutoCloseable {
  /** MDC key of the trace id (32 hex digits). */
  public static final String TRACE_ID = "trace_id";

  /** MDC key of the span id (16 hex digits). */
  public static final String SPAN_ID = "span_id";

  /** MDC key of the mlqueue message id (for a bulk message, its first row's). */
  public static final String MESSAGE_ID = "message_id";

  /** No span and no MDC fields: tracing is off. */
  public static final MessageSpan NONE = new MessageSpan();

  private MessageSpan() {}

  /**
   * Names the message in the span ({@code messaging.message.id}, and {@code
   * messaging.batch.message_count} for a bulk message of {@code rows} rows) and in the MDC.
   */
  public void identify(String messageId, int rows) {}

  /** The message's id as {@link #identify} set it; null if not known. */
  public String messageId() {
    return null;
  }

  /** The rows of the message as {@link #identify} set them; 1 if not known. */
  public int rows() {
    return 1;
  }

  /** The context to publish the message's outputs under: its span's, or none when off. */
  public Context context() {
    return Context.root();
  }

  /** Marks the span as failed with {@code error}. */
  public void failed(Throwable error) {}

  /** Ends the span and takes the fields out of the MDC. */
  @Override
  public void close() {}

  /** A recording span, current (and in the MDC) on the thread that opened it until closed. */
  static final class Recording extends MessageSpan {
    private final Span span;
    private final Context context;
    private final Scope scope;
    private String messageId;
    private int rows = 1;

    Recording(Span span, Context parent) {
      this.span = span;
      this.context = parent.with(span);
      this.scope = context.makeCurrent();
      SpanContext ids = span.getSpanContext();
      MDC.put(TRACE_ID, ids.getTraceId());
      MDC.put(SPAN_ID, ids.getSpanId());
    }

    @Override
    public void identify(String id, int rows) {
      messageId = id;
      this.rows = rows;
      span.setAttribute(MessageTracer.MESSAGE_ID, id);
      if (rows > 1) {
        span.setAttribute(MessageTracer.BATCH_COUNT, (long) rows);
      }
      MDC.put(MESSAGE_ID, id);
    }

    @Override
    public String messageId() {
      return messageId;
    }

    @Override
    public int rows() {
      return rows;
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public void failed(Throwable error) {
      span.recordException(error);
      span.setStatus(StatusCode.ERROR);
      span.setAttribute(MessageTracer.ERROR_TYPE, error.getClass().getName());
    }

    @Override
    public void close() {
      span.end();
      scope.close();
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
      MDC.remove(MESSAGE_ID);
    }
  }
}
