package io.mlqueue.amqp;

import com.rabbitmq.client.AMQP;
import io.mlqueue.contract.WireFormat;

/** Message properties used across the services. */
public final class Messages {
  public static final String JSON = "application/json";

  /** Persistent JSON: survives a broker restart on a durable queue. */
  public static final AMQP.BasicProperties PERSISTENT_JSON =
      new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(2).build();

  /** Persistent CBOR: the same objects in binary ({@link WireFormat#CBOR}). */
  public static final AMQP.BasicProperties PERSISTENT_CBOR =
      new AMQP.BasicProperties.Builder()
          .contentType(WireFormat.CBOR.contentType())
          .deliveryMode(2)
          .build();

  /** Persistent messages in {@code format}. */
  public static AMQP.BasicProperties persistent(WireFormat format) {
    return format == WireFormat.CBOR ? PERSISTENT_CBOR : PERSISTENT_JSON;
  }

  /** Transient JSON, for replies nobody would wait for after a restart. */
  public static final AMQP.BasicProperties TRANSIENT_JSON =
      new AMQP.BasicProperties.Builder().contentType(JSON).deliveryMode(1).build();

  private Messages() {}
}
