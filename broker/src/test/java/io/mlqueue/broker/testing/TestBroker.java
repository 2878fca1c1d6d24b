package io.mlqueue.broker.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.mlqueue.broker.EmbeddedBroker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An embedded broker and a client connection to it, for the component tests of the services (shared
 * through this module's test jar). One per test class: the broker takes seconds to start, queues
 * are reset between tests with {@link #deleteQueues}.
 */
public final class TestBroker implements AutoCloseable {
  private final EmbeddedBroker broker;
  private final Connection connection;

  private TestBroker(EmbeddedBroker broker, Connection connection) {
    this.broker = broker;
    this.connection = connection;
  }

  public static TestBroker start() throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.start();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(broker.amqpUri());
    return new TestBroker(broker, factory.newConnection("test"));
  }

  public String uri() {
    return broker.amqpUri();
  }

  /** The test's own connection, for publishing inputs and reading outputs. */
  public Connection connection() {
    return connection;
  }

  /**
   * Deletes each queue if it exists (Qpid answers a missing one with a channel error, RabbitMQ
   * not).
   */
  public void deleteQueues(String... queues) throws IOException {
    for (String queue : queues) {
      Channel channel = connection.createChannel();
      try {
        channel.queueDelete(queue);
        channel.close();
      } catch (IOException | java.util.concurrent.TimeoutException e) {
        // it did not exist; the error closed the channel
      }
    }
  }

  /**
   * Takes {@code n} messages from {@code queue} (acked as they are taken), waiting up to 10 s for
   * them: what a service under test published.
   *
   * @throws AssertionError if fewer than {@code n} came in that time
   */
  public static List<GetResponse> take(Channel channel, String queue, int n)
      throws IOException, InterruptedException {
    List<GetResponse> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (got.size() < n && System.nanoTime() < deadline) {
      GetResponse r = channel.basicGet(queue, true);
      if (r == null) {
        Thread.sleep(10);
      } else {
        got.add(r);
      }
    }
    if (got.size() < n) {
      throw new AssertionError(
          "expected " + n + " messages on " + queue + " within 10 s, got " + got.size());
    }
    return got;
  }

  @Override
  public void close() throws IOException {
    try {
      connection.close();
    } finally {
      broker.close();
    }
  }
}
