package io.mlqueue.app;

import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.contract.MessageCodec;
import picocli.CommandLine.Option;

/** {@code --max-message-bytes}: the largest message body a consuming service takes. */
final class MessageSizeOption {
  /**
   * The bound on a delivery our connections accept (the client's {@code maxInboundMessageBodySize},
   * raised to RabbitMQ's default {@code max_message_size}): a limit above it would never apply.
   */
  static final int CLIENT_LIMIT = BrokerConnector.MAX_INBOUND_BODY_BYTES;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "BYTES",
      defaultValue = "" + MessageCodec.DEFAULT_MAX_BYTES,
      description =
          "A message body over BYTES is dead-lettered unparsed, naming its size (default:"
              + " ${DEFAULT-VALUE}, 1 MiB; at most "
              + CLIENT_LIMIT
              + "). Set the broker's"
              + " max_message_size no higher than that maximum.")
  int maxMessageBytes;

  /** The limit, checked against what a codec and the client can take. */
  int bytes() {
    if (maxMessageBytes < MessageCodec.MIN_MAX_BYTES || maxMessageBytes > CLIENT_LIMIT) {
      throw new IllegalArgumentException(
          "--max-message-bytes must be between "
              + MessageCodec.MIN_MAX_BYTES
              + " and "
              + CLIENT_LIMIT
              + ", was "
              + maxMessageBytes);
    }
    return maxMessageBytes;
  }
}
