package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.contract.Queues;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Inspecting and replaying dead letters: what {@code mlqueue dead-letters list} and {@code replay}
 * do. A dead letter keeps its original body and properties, plus the {@link DeadLetters} headers.
 */
public final class DeadLetterQueues {
  /** Counts how often a message was replayed, so a message that keeps failing can be told apart. */
  public static final String REPLAYS = "x-mlqueue-replays";

  private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

  private DeadLetterQueues() {}

  /** One dead letter, as read. */
  public record Letter(
      String sourceQueue, String reason, String service, Instant at, byte[] body, int replays) {}

  /** Messages waiting in {@code deadLetterQueue} (0 if it does not exist). */
  public static long count(Connection connection, String deadLetterQueue) throws IOException {
    Channel channel = connection.createChannel();
    try {
      return channel.queueDeclarePassive(deadLetterQueue).getMessageCount();
    } catch (IOException e) {
      return 0; // no such queue: nothing was ever dead-lettered there
    } finally {
      closeQuietly(channel);
    }
  }

  /**
   * Reads up to {@code max} dead letters without removing them: they are taken unacked and go back
   * to the queue when the channel closes.
   */
  public static List<Letter> peek(Connection connection, String deadLetterQueue, int max)
      throws IOException {
    List<Letter> letters = new ArrayList<>();
    Channel channel = connection.createChannel();
    try {
      channel.basicQos(max);
      for (int i = 0; i < max; i++) {
        GetResponse r = channel.basicGet(deadLetterQueue, false);
        if (r == null) {
          break;
        }
        letters.add(letter(deadLetterQueue, r));
      }
    } finally {
      closeQuietly(channel); // requeues everything read
    }
    return letters;
  }

  /**
   * Sends up to {@code max} dead letters back to the queue they came from, body and properties as
   * they were (without the dead-letter headers, with {@value #REPLAYS} counted up), each confirmed
   * by the broker before it is removed from the dead-letter queue. Returns how many; none when the
   * queue does not exist (nothing was ever dead-lettered there), as {@link #count} says.
   */
  public static int replay(Connection connection, String deadLetterQueue, int max)
      throws IOException, InterruptedException {
    // Asked first: a basic.get of a missing queue closes the channel on RabbitMQ, but the whole
    // connection on Qpid, which would end the replay of the other queues too.
    if (count(connection, deadLetterQueue) == 0) {
      return 0;
    }
    Channel channel = connection.createChannel();
    int replayed = 0;
    try {
      channel.confirmSelect();
      for (; replayed < max; replayed++) {
        GetResponse r = channel.basicGet(deadLetterQueue, false);
        if (r == null) {
          break;
        }
        Letter letter = letter(deadLetterQueue, r);
        channel.basicPublish(
            "", letter.sourceQueue(), withoutDeathHeaders(r.getProps(), letter), r.getBody());
        channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
        channel.basicAck(r.getEnvelope().getDeliveryTag(), false);
      }
    } catch (TimeoutException e) {
      throw new IOException(
          "the broker did not confirm a replayed message in " + CONFIRM_TIMEOUT, e);
    } finally {
      closeQuietly(channel);
    }
    return replayed;
  }

  private static Letter letter(String deadLetterQueue, GetResponse r) {
    Map<String, Object> headers =
        r.getProps().getHeaders() == null ? Map.of() : r.getProps().getHeaders();
    String source = text(headers.get(DeadLetters.SOURCE_QUEUE));
    if (source.isEmpty() && deadLetterQueue.endsWith(Queues.DEAD_LETTER_SUFFIX)) {
      source =
          deadLetterQueue.substring(
              0, deadLetterQueue.length() - Queues.DEAD_LETTER_SUFFIX.length());
    }
    Object at = headers.get(DeadLetters.AT);
    Object replays = headers.get(REPLAYS);
    return new Letter(
        source,
        text(headers.get(DeadLetters.REASON)),
        text(headers.get(DeadLetters.SERVICE)),
        at instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null,
        r.getBody(),
        replays instanceof Number n ? n.intValue() : 0);
  }

  private static AMQP.BasicProperties withoutDeathHeaders(
      AMQP.BasicProperties props, Letter letter) {
    Map<String, Object> headers =
        new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
    headers.remove(DeadLetters.REASON);
    headers.remove(DeadLetters.SOURCE_QUEUE);
    headers.remove(DeadLetters.SERVICE);
    headers.remove(DeadLetters.AT);
    headers.put(REPLAYS, letter.replays() + 1);
    return props.builder().headers(headers).build();
  }

  private static String text(Object value) {
    return value == null ? "" : value.toString(); // AMQP strings arrive as LongString
  }

  private static void closeQuietly(Channel channel) {
    try {
      if (channel.isOpen()) {
        channel.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      // closing is best effort; unacked messages go back to the queue either way
    }
  }
}
