package io.mlqueue.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds out how an existing queue differs from the shape a service wants, without the management
 * plugin. AMQP has no "describe queue": a passive declare tells only that a queue exists. But a
 * declare with other properties is refused with a reply naming the first property that differs and
 * its current value. So the probe declares on a scratch channel (the refusal closes that channel,
 * never the service's), takes the current value the reply names into its next attempt, and goes on
 * until a declare is accepted: then it knows every property RabbitMQ compares.
 *
 * <p>A queue that does not exist yet is created by the first attempt, as the service wants it.
 */
final class QueueProbe {
  /**
   * RabbitMQ compares a couple of flags and about twenty arguments; more means something is off.
   */
  private static final int MAX_ATTEMPTS = 24;

  private static final Pattern TYPED_VALUE =
      Pattern.compile("^the value '(.*)' of type '([a-z]+)'$");

  private QueueProbe() {}

  /**
   * One property in which the queue differs: the service wanted {@code wanted}, it has {@code
   * current}.
   */
  record Difference(String key, String wanted, String current) {}

  /** What the probe found. */
  sealed interface Result {}

  /** The queue is (now) as wanted. */
  record Matches() implements Result {}

  /** The queue exists with other properties: {@code existing}, differing in {@code differences}. */
  record Differs(QueueShape existing, List<Difference> differences) implements Result {}

  /**
   * The broker refused a declare for another reason (a lock, a permission, an unknown argument).
   */
  record Refused(BrokerReply reply) implements Result {}

  /** Probes {@code queue} on scratch channels of {@code connection}. */
  static Result probe(Connection connection, String queue, QueueShape wanted) throws IOException {
    QueueShape attempt = wanted;
    List<Difference> differences = new ArrayList<>();
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      Channel scratch = connection.createChannel();
      try {
        attempt.declare(scratch, queue);
        close(scratch);
        return differences.isEmpty()
            ? new Matches()
            : new Differs(attempt, List.copyOf(differences));
      } catch (IOException e) {
        BrokerReply reply = BrokerReply.of(e).orElseThrow(() -> e);
        Optional<BrokerReply.Inequivalent> inequivalent = reply.inequivalent();
        if (inequivalent.isEmpty()) {
          return new Refused(reply);
        }
        String key = inequivalent.get().key();
        Optional<Optional<Object>> current = parse(inequivalent.get().current());
        if (current.isEmpty() || differences.stream().anyMatch(d -> d.key().equals(key))) {
          // A value we cannot send back (a table), or the broker keeps naming the same property:
          // report what is known rather than loop.
          return new Refused(reply);
        }
        differences.add(
            new Difference(
                key, wanted.valueOf(key), current.get().map(String::valueOf).orElse("none")));
        attempt = attempt.with(key, current.get());
      }
    }
    throw new IOException(
        "queue '" + queue + "' still refused after " + MAX_ATTEMPTS + " declares");
  }

  /**
   * A value as RabbitMQ prints it in an inequivalent-arg reply: {@code 'false'} (a flag), {@code
   * none} (absent), or {@code the value '60000' of type 'signedint'}. Empty when it cannot be sent
   * back as it is (a table, an array); else the value, empty for "none".
   */
  static Optional<Optional<Object>> parse(String printed) {
    if (printed.equals("none")) {
      return Optional.of(Optional.empty());
    }
    if (printed.equals("'true'") || printed.equals("'false'")) {
      return Optional.of(Optional.of(printed.equals("'true'")));
    }
    Matcher m = TYPED_VALUE.matcher(printed);
    if (!m.matches()) {
      return Optional.empty();
    }
    String v = m.group(1);
    try {
      Object value =
          switch (m.group(2)) {
            case "longstr" -> v;
            case "signedint" -> Integer.parseInt(v);
            case "long" -> Long.parseLong(v);
            case "short" -> Short.parseShort(v);
            case "byte" -> Byte.parseByte(v);
            case "bool" -> Boolean.parseBoolean(v);
            case "double" -> Double.parseDouble(v);
            case "float" -> Float.parseFloat(v);
            default -> null;
          };
      return value == null ? Optional.empty() : Optional.of(Optional.of(value));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void close(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException e) {
      // a scratch channel: nothing depends on its close
    }
  }
}
