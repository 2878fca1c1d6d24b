package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;

/** Message properties used across the services. */
public final class Messages {
  public static final String JSON = "application/json";

  /** Persistent JSON: survives a broker restart on a durable queue. */
  public static final AMQP.BasicProperties PERSISTENT_JSON =
      new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(2).build();

  /** Transient JSON, for replies nobody would wait for after a restart. */
  public static final AMQP.BasicProperties TRANSIENT_JSON =
      new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(1).build();

  private Messages() {}
}
