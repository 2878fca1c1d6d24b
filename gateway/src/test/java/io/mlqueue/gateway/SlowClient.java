package io.mlqueue.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A raw HTTP/1.1 client that sends what a test tells it, as slowly as it is told: a slowloris in a
 * box. {@link #trickle} sends one byte at a time in the background; {@link #awaitEnd} reads
 * whatever the server answers until it closes the connection.
 */
final class SlowClient implements AutoCloseable {
  /** What the server did: what it wrote before closing, and how long after the start. */
  record End(String response, Duration after) {
    boolean answered() {
      return !response.isEmpty();
    }

    /** The status of the answer, or 0 if the server closed without one. */
    int status() {
      return answered() ? Integer.parseInt(response.substring(9, 12)) : 0;
    }
  }

  private final Socket socket;
  private final long start = System.nanoTime();
  private volatile Thread trickler;

  SlowClient(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code text} at once. */
  SlowClient send(String text) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write(text.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends {@code text} one byte every {@code interval} in the background, until it is all sent or
   * the server closes the connection.
   */
  SlowClient trickle(String text, Duration interval) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    trickler =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    OutputStream out = socket.getOutputStream();
                    for (byte b : bytes) {
                      out.write(b);
                      out.flush();
                      Thread.sleep(interval);
                    }
                  } catch (IOException | InterruptedException e) {
                    // The server closed the connection, or the test is over.
                  }
                });
    return this;
  }

  /**
   * Reads until the server closes the connection (a reset counts as closing), at most {@code
   * limit}; fails if it is still open then.
   */
  End awaitEnd(Duration limit) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout((int) limit.toMillis());
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        got.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "the server kept the connection open for " + limit + "; it wrote: " + text(got), e);
    } catch (SocketException e) {
      // Reset by the server: closed.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new End(text(got), Duration.ofNanos(System.nanoTime() - start));
  }

  /** Whether the server has closed the connection within {@code wait} (it wrote nothing). */
  boolean closedWithin(Duration wait) {
    try {
      socket.setSoTimeout((int) wait.toMillis());
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    Thread t = trickler;
    if (t != null) {
      t.interrupt();
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Closing is best effort.
    }
  }

  private static String text(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
