package io.mlqueue.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/** Opens RabbitMQ client connections the way the services will, from a URI. */
final class Clients {
  private Clients() {}

  static Connection connect(String uri) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(uri);
    // A test that provokes a connection error wants it to stay closed, not to be recovered.
    factory.setAutomaticRecoveryEnabled(false);
    return factory.newConnection("mlqueue-broker-test");
  }
}
