package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's answer when it closed a channel or a connection on us: its reply code and text, e.g.
 * {@code 406 PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'features' in vhost '/':
 * received 'true' but current is 'false'}. RabbitMQ says what went wrong only there, in words meant
 * for its operators; this class finds them in whatever the client threw.
 *
 * @param code the AMQP reply code (403 access refused, 404 not found, 405 resource locked, 406
 *     precondition failed, 530 not allowed, …)
 * @param text the reply text, e.g. {@code PRECONDITION_FAILED - inequivalent arg …}
 */
public record BrokerReply(int code, String text) {
  public static final int ACCESS_REFUSED = 403;
  public static final int NOT_FOUND = 404;
  public static final int RESOURCE_LOCKED = 405;
  public static final int PRECONDITION_FAILED = 406;
  public static final int NOT_ALLOWED = 530;

  private static final Pattern INEQUIVALENT =
      Pattern.compile(
          "inequivalent arg '([^']+)' for queue '.*' in vhost '.*': received (.+) but current is (.+)$");
  private static final Pattern ACCESS =
      Pattern.compile(
          "(?:(configure|write|read) )?access to (queue|exchange) '([^']*)' in vhost '([^']*)' refused for user '([^']*)'");

  /** The broker's close reason somewhere in {@code e}'s causes, if the broker closed on us. */
  public static Optional<BrokerReply> of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ShutdownSignalException signal
          && signal.isInitiatedByApplication() == false) {
        Method reason = signal.getReason();
        if (reason instanceof AMQP.Channel.Close close) {
          return Optional.of(new BrokerReply(close.getReplyCode(), close.getReplyText()));
        }
        if (reason instanceof AMQP.Connection.Close close) {
          return Optional.of(new BrokerReply(close.getReplyCode(), close.getReplyText()));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A queue property that differs from the declare, parsed from RabbitMQ's 406 reply.
   *
   * @param key {@code durable}, {@code auto_delete}, {@code exclusive} or an argument such as
   *     {@code x-message-ttl}
   * @param received what the declare asked for, as RabbitMQ prints it ({@code 'true'}, {@code
   *     none}, {@code the value 'quorum' of type 'longstr'})
   * @param current what the queue has, in the same form
   */
  public record Inequivalent(String key, String received, String current) {}

  /** The differing property this 406 reply names, if it is an inequivalent-declare reply. */
  public Optional<Inequivalent> inequivalent() {
    if (code != PRECONDITION_FAILED) {
      return Optional.empty();
    }
    Matcher m = INEQUIVALENT.matcher(text);
    return m.find()
        ? Optional.of(new Inequivalent(m.group(1), m.group(2).strip(), m.group(3).strip()))
        : Optional.empty();
  }

  /**
   * A refused permission, parsed from RabbitMQ's 403 reply.
   *
   * @param permission {@code configure}, {@code write} or {@code read}
   * @param kind {@code queue} or {@code exchange}
   * @param resource the queue's or exchange's name ({@code amq.default} for the default exchange)
   * @param vhost the virtual host
   * @param user the user
   */
  public record Refusal(
      String permission, String kind, String resource, String vhost, String user) {
    /** One line: what the user may not do, and the {@code rabbitmqctl} command that allows it. */
    public String explain() {
      String what =
          switch (permission) {
            case "configure" -> "declare " + kind + " '" + resource + "'";
            case "write" ->
                resource.equals("amq.default")
                    ? "publish (write to the default exchange 'amq.default', which every mlqueue"
                        + " message goes through)"
                    : "write to " + kind + " '" + resource + "'";
            default -> "consume from " + kind + " '" + resource + "'";
          };
      return "user '"
          + user
          + "' may not "
          + what
          + " on virtual host '"
          + vhost
          + "' (no "
          + permission
          + " permission). Fix: rabbitmqctl set_permissions -p "
          + vhost
          + " "
          + user
          + " CONFIGURE WRITE READ with a "
          + permission
          + " pattern matching '"
          + resource
          + "' (mlqueue needs '.*' '.*' '.*' on its own virtual host)";
    }
  }

  /**
   * The refused permission this 403 reply names, if it names one. RabbitMQ 3.x does not say which
   * permission ("access to queue 'features' … refused"): {@code permission} is the one the refused
   * operation needs (configure to declare, write to publish, read to consume).
   */
  public Optional<Refusal> refusal(String permission) {
    if (code != ACCESS_REFUSED) {
      return Optional.empty();
    }
    Matcher m = ACCESS.matcher(text);
    return m.find()
        ? Optional.of(
            new Refusal(
                m.group(1) != null ? m.group(1) : permission,
                m.group(2),
                m.group(3),
                m.group(4),
                m.group(5)))
        : Optional.empty();
  }

  /** The text without RabbitMQ's {@code CODE_NAME - } prefix. */
  public String detail() {
    int dash = text.indexOf(" - ");
    return dash >= 0 ? text.substring(dash + 3) : text;
  }

  @Override
  public String toString() {
    return code + " " + text;
  }
}
