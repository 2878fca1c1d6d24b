package io.mlqueue.jmh;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.Messages;
import io.mlqueue.amqp.QueueConsumer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages per second through a consumer while one message among them makes its handler throw (a
 * model that fails on one input): {@code bench/poison.sh}. The handler acks every other message at
 * once; the clock runs from the first delivery to the last good one.
 *
 * <p>Arguments: AMQP URI (a scratch virtual host), message count, prefetch.
 */
public final class PoisonMessageRate {
  private PoisonMessageRate() {}

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    int count = Integer.parseInt(args[1]);
    int prefetch = Integer.parseInt(args[2]);
    String queue = "poison-rate";
    AmqpSettings settings = AmqpSettings.of(uri).withPrefetch(prefetch);
    try (Connection connection = BrokerConnector.connect(settings, "poison-rate")) {
      Channel publisher = connection.createChannel();
      publisher.queueDeclare(queue, true, false, false, null);
      publisher.confirmSelect();
      for (int i = 0; i < count; i++) {
        String body = i == 10 ? "poison" : "m" + i;
        publisher.basicPublish(
            "", queue, Messages.PERSISTENT_JSON, body.getBytes(StandardCharsets.UTF_8));
      }
      publisher.waitForConfirmsOrDie(60_000);
      AtomicLong good = new AtomicLong();
      AtomicLong poisonCalls = new AtomicLong();
      long[] first = new long[1];
      long[] last = new long[1];
      QueueConsumer consumer =
          QueueConsumer.open(connection, "poison-rate", settings)
              .declare(queue)
              .consume(
                  queue,
                  m -> {
                    if (first[0] == 0) {
                      first[0] = System.nanoTime();
                    }
                    if (new String(m.body(), StandardCharsets.UTF_8).equals("poison")) {
                      poisonCalls.incrementAndGet();
                      throw new IllegalStateException("the model fails on this input");
                    }
                    m.ack();
                    if (good.incrementAndGet() == count - 1) {
                      last[0] = System.nanoTime();
                    }
                  });
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (good.get() < count - 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      double seconds = (last[0] - first[0]) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%,d messages with one poison among them, prefetch %d: %,d handled in %.2f s = %,.0f"
              + " messages/s; the poison message was tried %d times%n",
          count,
          prefetch,
          good.get(),
          seconds,
          good.get() / seconds,
          poisonCalls.get());
      consumer.close(Duration.ofSeconds(5));
      publisher.queueDelete(queue);
      publisher.queueDelete(queue + ".dlq");
    }
  }
}
