package io.mlqueue.amqp;

import com.rabbitmq.client.Address;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Finds out what listens on a port when the AMQP handshake failed there: a TLS port, an HTTP
 * server, an AMQP 1.0 broker, or something else that will never become RabbitMQ by waiting. It
 * sends the AMQP 0-9-1 protocol header (plus an empty line, which makes an HTTP server answer at
 * once) and reads the first bytes of the answer.
 */
final class NodeProbe {
  private static final byte[] HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1, '\r', '\n', '\r', '\n'};

  private NodeProbe() {}

  /**
   * The first bytes the node at {@code address} answers the AMQP 0-9-1 greeting with (none if it
   * closes at once); empty when it says nothing in {@code timeout} or cannot be reached (a slow
   * broker cannot be told from a silent stranger: the caller keeps retrying then).
   */
  static Optional<byte[]> answer(Address address, Duration timeout) {
    try (Socket socket = new Socket()) {
      int millis = (int) timeout.toMillis();
      socket.connect(new InetSocketAddress(address.getHost(), address.getPort()), millis);
      socket.setSoTimeout(millis);
      socket.getOutputStream().write(HEADER);
      socket.getOutputStream().flush();
      return Optional.of(readSome(socket.getInputStream(), 16));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code answer} is an AMQP 0-9-1 broker's: a method frame on channel 0
   * (connection.start).
   */
  static boolean isAmqp091(byte[] answer) {
    return answer.length > 0 && answer[0] == 1;
  }

  /** Reads up to {@code max} bytes, until the other end stops sending or closes. */
  private static byte[] readSome(InputStream in, int max) throws IOException {
    byte[] buffer = new byte[max];
    int n = 0;
    while (n < max) {
      int r;
      try {
        r = in.read(buffer, n, max - n);
      } catch (SocketTimeoutException e) {
        if (n == 0) {
          throw e;
        }
        break;
      } catch (IOException e) {
        break; // reset after sending: what came is what we judge
      }
      if (r < 0) {
        break;
      }
      n += r;
      if (n >= 8) {
        break;
      }
    }
    byte[] out = new byte[n];
    System.arraycopy(buffer, 0, out, 0, n);
    return out;
  }

  /** The words for an answer, or empty for an AMQP 0-9-1 broker's. */
  static Optional<String> classify(byte[] answer, boolean tls) {
    String tlsHint = tls ? "" : " (if it is a TLS port, use amqps://; RabbitMQ's is usually 5671)";
    if (answer.length == 0) {
      return Optional.of(
          "closed the connection on the AMQP greeting without a word: not an AMQP"
              + " 0-9-1 broker"
              + tlsHint);
    }
    if (isAmqp091(answer)) {
      return Optional.empty();
    }
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    if (text.startsWith("AMQP") && answer.length >= 8) {
      String version = answer[5] + "." + answer[6] + (answer[7] == 0 ? "" : "." + answer[7]);
      if (answer[5] == 1 && answer[6] == 0) {
        return Optional.of(
            "speaks AMQP 1.0, not the AMQP 0-9-1 of RabbitMQ (an AMQP 1.0 broker"
                + " such as ActiveMQ Artemis or Azure Service Bus; mlqueue needs RabbitMQ or another"
                + " AMQP 0-9-1 broker)");
      }
      return Optional.of("speaks AMQP " + version + ", not the AMQP 0-9-1 of RabbitMQ");
    }
    if (answer[0] == 0x15 && answer.length > 1 && answer[1] == 0x03) {
      return Optional.of(
          "answered with a TLS alert: it is a TLS port; use amqps:// for it, or"
              + " amqp:// with RabbitMQ's plain AMQP port (usually 5672)");
    }
    if (text.startsWith("HTTP/")) {
      return Optional.of(
          "is an HTTP server, not an AMQP broker (RabbitMQ's AMQP port is usually"
              + " 5672; 15672 is its management UI)");
    }
    if (text.startsWith("SSH-")) {
      return Optional.of("is an SSH server, not an AMQP broker");
    }
    return Optional.of(
        "answered '"
            + printable(text)
            + "…', which is not AMQP 0-9-1: not a"
            + " RabbitMQ node"
            + tlsHint);
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7f ? c : '.');
    }
    return out.toString();
  }
}
