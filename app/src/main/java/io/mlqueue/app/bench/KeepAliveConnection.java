package io.mlqueue.app.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection that sends the same pre-encoded POST over and over and reads
 * each answer's status, skipping its body.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on a 2-core machine the load generator shares the
 * CPU with the broker and the services it measures, and the JDK client's asynchronous machinery (a
 * selector thread, futures and header maps per exchange) cost about half a core at 1,000
 * requests/s, which showed up in the very latencies being measured. A blocking socket that writes
 * one fixed byte array and parses a status line and a few headers costs a small fraction of that,
 * as {@code wrk} does in C. It handles exactly what the gateway sends: {@code Content-Length} or
 * chunked bodies, and {@code Connection: close} (it reconnects on the next exchange).
 */
final class KeepAliveConnection implements Closeable {
  private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  private static final int READ_TIMEOUT_MILLIS = 30_000;
  private static final int MAX_LINE = 8_192;

  private final InetSocketAddress address;
  private final byte[] request;
  private final StringBuilder line = new StringBuilder(128); // reused: no garbage per header
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  KeepAliveConnection(URI url, byte[] body, String contentType) {
    int port = url.getPort() != -1 ? url.getPort() : 80;
    this.address = new InetSocketAddress(url.getHost(), port);
    String path = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\n"
            + "Host: "
            + url.getHost()
            + ":"
            + port
            + "\r\n"
            + "Content-Type: "
            + contentType
            + "\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    this.request = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, request, 0, headBytes.length);
    System.arraycopy(body, 0, request, headBytes.length, body.length);
  }

  /**
   * Sends the request and reads the whole answer.
   *
   * @return the HTTP status
   * @throws IOException when the connection fails; it is closed, and the next call reconnects
   */
  int exchange() throws IOException {
    try {
      if (socket == null) {
        connect();
      }
      out.write(request);
      out.flush();
      return readResponse();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    s.connect(address, CONNECT_TIMEOUT_MILLIS);
    socket = s;
    in = new BufferedInputStream(s.getInputStream(), 16_384);
    out = s.getOutputStream();
  }

  private int readResponse() throws IOException {
    String statusLine = readLine();
    // "HTTP/1.1 200 OK": the status is the three digits after the first space.
    int space = statusLine.indexOf(' ');
    if (!statusLine.startsWith("HTTP/1.") || space < 0 || statusLine.length() < space + 4) {
      throw new IOException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine, space + 1, space + 4, 10);
    long contentLength = -1;
    boolean chunked = false;
    boolean close = false;
    String header;
    while (!(header = readLine()).isEmpty()) {
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String value = header.substring(colon + 1).trim();
      if (header.regionMatches(true, 0, "content-length", 0, colon)) {
        contentLength = Long.parseLong(value);
      } else if (header.regionMatches(true, 0, "transfer-encoding", 0, colon)) {
        chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
      } else if (header.regionMatches(true, 0, "connection", 0, colon)) {
        close = value.equalsIgnoreCase("close");
      }
    }
    if (chunked) {
      skipChunks();
    } else if (contentLength >= 0) {
      skipFully(contentLength);
    } else {
      close = true; // the body runs to the end of the connection: nothing to reuse
    }
    if (close) {
      close();
    }
    return status;
  }

  private void skipChunks() throws IOException {
    long size;
    do {
      String sizeLine = readLine();
      int semicolon = sizeLine.indexOf(';');
      size =
          Long.parseLong(
              semicolon < 0 ? sizeLine.trim() : sizeLine.substring(0, semicolon).trim(), 16);
      skipFully(size);
      if (size > 0) {
        readLine(); // the CRLF after the chunk's data
      }
    } while (size > 0);
    while (!readLine().isEmpty()) {
      // trailer fields, if any, up to the empty line
    }
  }

  private void skipFully(long n) throws IOException {
    while (n > 0) {
      long skipped = in.skip(n);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("connection closed in the middle of a body");
        }
        skipped = 1;
      }
      n -= skipped;
    }
  }

  private String readLine() throws IOException {
    line.setLength(0);
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (c != '\r') {
        if (line.length() == MAX_LINE) {
          throw new IOException("header line longer than " + MAX_LINE + " bytes");
        }
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a broken connection: nothing left to do
      }
      socket = null;
      in = null;
      out = null;
    }
  }
}
