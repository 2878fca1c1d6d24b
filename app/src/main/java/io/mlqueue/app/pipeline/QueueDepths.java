package io.mlqueue.app.pipeline;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.app.status.ManagementApi;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The depth (messages ready) and consumers of the contract's queues, with a short history of each
 * depth for the dashboard. Not thread-safe: one sampling thread calls it.
 *
 * <p>Through RabbitMQ's management API when it is given and answers (one request for every queue of
 * the virtual host; asked again a minute after it failed), else over AMQP by a passive declare per
 * queue. A passive declare of a queue that does not exist closes the channel and makes the broker
 * log a channel error, so over AMQP a queue found absent is asked again only every {@link
 * #ABSENT_RECHECK}, not at every sample: the dashboard polls every two seconds, and most systems
 * never declare some of the queues (a canary's, dead-letter queues before the first dead letter).
 */
public final class QueueDepths implements AutoCloseable {
  static final Duration ABSENT_RECHECK = Duration.ofSeconds(30);

  /** How long after the management API failed it is tried again. */
  static final Duration API_RECHECK = Duration.ofMinutes(1);

  /** One queue now; {@code depths} oldest first, absent samples left out. */
  public record Queue(String name, boolean exists, long depth, long consumers, List<Long> depths) {}

  private final Callable<Connection> connect;
  private final List<String> names;
  private final int history;
  private final Map<String, Deque<Long>> depths = new LinkedHashMap<>();
  private final Map<String, Queue> latest = new LinkedHashMap<>();
  private final Map<String, Instant> absentSince = new LinkedHashMap<>();
  private final Optional<ManagementApi> api;
  private final String vhost;
  private Instant apiFailedAt;
  private String via = "AMQP";
  private Connection connection;
  private Channel channel;

  /**
   * @param connect opens the connection to sample on, at the first sample and again after a failure
   *     to open it (a broker down when plot starts is a panel that says so, not a plot that does
   *     not start); {@link #close} closes it
   * @param names the queues, in the order shown
   * @param history how many samples of each depth to keep
   */
  public QueueDepths(Callable<Connection> connect, List<String> names, int history) {
    this(connect, Optional.empty(), "/", names, history);
  }

  /**
   * As {@link #QueueDepths(Callable, List, int)}, asking {@code api} first for the queues of {@code
   * vhost}.
   */
  public QueueDepths(
      Callable<Connection> connect,
      Optional<ManagementApi> api,
      String vhost,
      List<String> names,
      int history) {
    this.connect = connect;
    this.api = api;
    this.vhost = vhost;
    this.names = List.copyOf(names);
    this.history = history;
  }

  /** How the last sample was taken: {@code management API} or {@code AMQP}. */
  public String via() {
    return via;
  }

  /** Samples every queue (absent ones at most every {@link #ABSENT_RECHECK}); returns them all. */
  public List<Queue> sample(Instant now) throws Exception {
    if (api.isPresent()
        && (apiFailedAt == null
            || Duration.between(apiFailedAt, now).compareTo(API_RECHECK) >= 0)) {
      try {
        Map<String, ManagementApi.QueueInfo> byName = new LinkedHashMap<>();
        api.get().queues(vhost).forEach(q -> byName.put(q.name(), q));
        apiFailedAt = null;
        via = "management API";
        for (String name : names) {
          ManagementApi.QueueInfo q = byName.get(name);
          if (q == null) {
            latest.put(name, new Queue(name, false, 0, 0, List.of()));
          } else {
            record(name, orZero(q.ready()), orZero(q.consumers()));
          }
        }
        return new ArrayList<>(latest.values());
      } catch (ManagementApi.Unavailable e) {
        apiFailedAt = now;
      }
    }
    via = "AMQP";
    if (connection == null) {
      connection = connect.call();
    }
    for (String name : names) {
      Instant absent = absentSince.get(name);
      if (absent != null && Duration.between(absent, now).compareTo(ABSENT_RECHECK) < 0) {
        continue;
      }
      AMQP.Queue.DeclareOk ok = declarePassive(name);
      if (ok == null) {
        absentSince.put(name, now);
        latest.put(name, new Queue(name, false, 0, 0, List.of()));
        continue;
      }
      absentSince.remove(name);
      record(name, ok.getMessageCount(), ok.getConsumerCount());
    }
    return new ArrayList<>(latest.values());
  }

  private void record(String name, long depth, long consumers) {
    Deque<Long> d = depths.computeIfAbsent(name, n -> new ArrayDeque<>());
    d.addLast(depth);
    while (d.size() > history) {
      d.removeFirst();
    }
    latest.put(name, new Queue(name, true, depth, consumers, List.copyOf(d)));
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  /** Closes the connection, if one was opened. */
  @Override
  public void close() {
    if (connection != null && connection.isOpen()) {
      try {
        connection.close();
      } catch (IOException | com.rabbitmq.client.AlreadyClosedException e) {
        // closing anyway
      }
    }
  }

  /** Null when the queue does not exist (the broker then closed the channel). */
  private AMQP.Queue.DeclareOk declarePassive(String name) throws IOException {
    if (channel == null || !channel.isOpen()) {
      channel = connection.createChannel();
    }
    try {
      return channel.queueDeclarePassive(name);
    } catch (IOException e) {
      if (!channel.isOpen() && isNotFound(e)) {
        channel = null;
        return null;
      }
      throw e;
    }
  }

  private static boolean isNotFound(IOException e) {
    return e.getCause() instanceof com.rabbitmq.client.ShutdownSignalException s
        && s.getReason() instanceof AMQP.Channel.Close close
        && close.getReplyCode() == AMQP.NOT_FOUND;
  }
}
