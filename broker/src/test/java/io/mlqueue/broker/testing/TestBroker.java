package io.mlqueue.broker.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.mlqueue.broker.EmbeddedBroker;
import java.io.IOException;

/**
 * An embedded broker and a client connection to it, for the component tests of the services (shared
 * through this module's test jar). One per test class: the broker takes seconds to start, queues are
 * reset between tests with {@link #deleteQueues}.
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

  /** Deletes each queue if it exists (Qpid answers a missing one with a channel error, RabbitMQ not). */
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

  @Override
  public void close() throws IOException {
    try {
      connection.close();
    } finally {
      broker.close();
    }
  }
}
