package io.mlqueue.broker;

/** The embedded broker could not start; the message names the address and port it tried. */
public final class BrokerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BrokerStartException(EmbeddedBroker.Options options, String reason, Throwable cause) {
    super(
        "Could not start the embedded AMQP broker on %s port %s: %s (%s)"
            .formatted(
                options.bindAddress(),
                options.port() == 0 ? "0 (any free port)" : Integer.toString(options.port()),
                reason,
                rootMessage(cause)),
        cause);
  }

  BrokerStartException(EmbeddedBroker.Options options, Throwable cause) {
    this(options, "the broker failed to start", cause);
  }

  private static String rootMessage(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
