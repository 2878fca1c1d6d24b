package io.mlqueue.gateway;

import io.helidon.common.buffers.DataReader;
import io.helidon.http.RequestException;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.BooleanSupplier;

/**
 * The request body as the parser reads it: bounded, and with every way the transport can fail
 * turned into an {@link IOException} the handler can tell apart from a bad JSON document.
 *
 * <p>Helidon refuses a declared {@code Content-Length} over the limit before routing and counts a
 * chunked body as it arrives; the count here is the same bound where the body is read, so no
 * transfer encoding slips past it. Helidon's entity stream fails with unchecked exceptions (a
 * broken chunk header is a {@code NumberFormatException}); they become {@link Unreadable}.
 *
 * <p>A body still arriving when the request's time is up ({@code expired}, from the {@link
 * SlowClientGuard}) fails with {@link TimedOut} on its next read.
 */
final class RequestBody extends FilterInputStream {
  private final long max;
  private final BooleanSupplier expired;
  private long read;

  RequestBody(InputStream in, long max, BooleanSupplier expired) {
    super(in);
    this.max = max;
    this.expired = expired;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = super.read();
    } catch (RuntimeException e) {
      throw translate(e);
    }
    if (b >= 0) {
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (RuntimeException e) {
      throw translate(e);
    }
    if (n > 0) {
      count(n);
    }
    return n;
  }

  /** Not closed by the parser: Helidon drains or drops the rest of the body after the handler. */
  @Override
  public void close() {}

  private void count(long n) throws IOException {
    read += n;
    if (read > max) {
      throw new TooLarge();
    }
    if (expired.getAsBoolean()) {
      throw new TimedOut();
    }
  }

  private static IOException translate(RuntimeException e) {
    if (e instanceof RequestException r && r.status().code() == 413) {
      return new TooLarge();
    }
    if (e instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (e instanceof DataReader.InsufficientDataAvailableException) {
      return new EOFException("the client closed the connection before the end of the body");
    }
    return new Unreadable(e);
  }

  /** The body went past the limit. */
  static final class TooLarge extends IOException {
    TooLarge() {
      super("request body over the limit", null);
    }
  }

  /** The body was still arriving when the request's time to arrive was up. */
  static final class TimedOut extends IOException {
    TimedOut() {
      super("request body still arriving at the read timeout", null);
    }
  }

  /** The body's framing is broken: a bad chunk header, or the body ends before it should. */
  static final class Unreadable extends IOException {
    Unreadable(Throwable cause) {
      super("request body unreadable", cause);
    }
  }
}
