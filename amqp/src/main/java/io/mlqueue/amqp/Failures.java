package io.mlqueue.amqp;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/**
 * Exceptions in words for a person: the broker's own reply when it closed on us, else the most
 * telling message along the causes, else what the kind of failure means. Never a bare class name:
 * {@code java.io.IOException} tells a user nothing (the debug log keeps the stack trace).
 */
public final class Failures {
  private Failures() {}

  /**
   * Whether {@code e} comes of the connection itself going down (a node stopped or killed, the
   * network), not of a refusal the broker made on a channel or a close this process asked for: the
   * connection recovers by itself, and what failed may be tried again once it has.
   */
  public static boolean connectionLost(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof com.rabbitmq.client.ShutdownSignalException s) {
        return s.isHardError() && !s.isInitiatedByApplication();
      }
      if (t instanceof java.net.SocketException || t instanceof EOFException) {
        return true;
      }
    }
    return false;
  }

  /** {@code e} in words, e.g. "connection refused" or "the broker closed the channel: …". */
  public static String describe(Throwable e) {
    var reply = BrokerReply.of(e);
    if (reply.isPresent()) {
      return "the broker answered " + reply.get().code() + ": " + reply.get().detail();
    }
    Throwable root = root(e);
    String kind = kind(root);
    String message = root.getMessage();
    if (message == null || message.isBlank()) {
      // The nearest cause that says something, from the root outwards.
      for (Throwable t = e; t != null && t != root; t = t.getCause()) {
        if (t.getMessage() != null
            && !t.getMessage().isBlank()
            && !looksLikeClassName(t.getMessage())) {
          message = t.getMessage();
        }
      }
    }
    if (message == null || message.isBlank() || looksLikeClassName(message)) {
      return kind != null
          ? kind
          : "an unexpected error without a message (the debug log, MLQUEUE_LOG_LEVEL=debug, has its details)";
    }
    return kind != null && !message.toLowerCase().contains(kind) ? kind + ": " + message : message;
  }

  /**
   * The message to show for {@code e}, a failure that ended a command: its own message when it is
   * words (the commands' exceptions say what and why), else {@link #describe}.
   */
  public static String message(Throwable e) {
    String m = e.getMessage();
    if (m == null
        || m.isBlank()
        || looksLikeClassName(m)
        || m.matches("^[a-z][\\w.]*\\.[A-Z]\\w*(Exception|Error): .*")) {
      return describe(e);
    }
    return m;
  }

  /** What a common network failure means, or null. */
  private static String kind(Throwable t) {
    return switch (t) {
      case ConnectException c -> "connection refused";
      case UnknownHostException u -> "unknown host";
      case NoRouteToHostException n -> "no route to host";
      case SocketTimeoutException s -> "timed out";
      case TimeoutException s -> "timed out";
      case EOFException eof -> "the other end closed the connection";
      default -> null;
    };
  }

  static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /** {@code java.io.IOException} and the like, as some exceptions carry their cause's toString. */
  private static boolean looksLikeClassName(String message) {
    return message.matches("[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z0-9_$]*");
  }
}
