package io.mlqueue.it;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.mlqueue.contract.Queues;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Halves whose partner never comes (their feature vectors were dead-lettered by model, say) must
 * not stall the pairing of later ids. Every waiting half is an unacked delivery; metric consumes
 * with a prefetch of {@code --max-pending}, so its buffer overflows before the prefetch runs out,
 * and the overflow dead-letters the oldest halves long before {@code --max-age} would.
 */
class MetricPairingCapacityIT {
  private static final int MAX_PENDING = 100;
  private static final int UNPAIRED = 300; // three times --max-pending

  // Ordered: processes are started after the vhost exists and killed before it is deleted.
  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path logDir;

  @Test
  void unpairedHalvesBeyondThePrefetchDoNotStallPairingOfLaterIds() throws Exception {
    ServiceProcess metric =
        services.mlqueue(
            "metric",
            rabbit.uri(),
            "metric",
            "--log-dir",
            logDir.toString(),
            "--max-pending",
            String.valueOf(MAX_PENDING));
    metric.awaitLog("metric: consuming y_pred", Duration.ofSeconds(30));

    Channel channel = rabbit.connect().createChannel();
    channel.confirmSelect();
    AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
    for (int i = 0; i < UNPAIRED; i++) {
      channel.basicPublish(
          "",
          Queues.Y_TRUE,
          persistent,
          ("{\"id\": \"unpaired-" + i + "\", \"body\": 100.0}").getBytes(StandardCharsets.UTF_8));
    }
    channel.waitForConfirmsOrDie(10_000);
    // The broker delivered all of them: the oldest beyond --max-pending went to the dead-letter
    // queue as orphans (not lost), the newest --max-pending wait, unacked.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                channel
                    .queueDeclarePassive(Queues.deadLetterQueue(Queues.Y_TRUE))
                    .getMessageCount(),
            n -> n == UNPAIRED - MAX_PENDING);

    channel.basicPublish(
        "",
        Queues.Y_TRUE,
        persistent,
        "{\"id\": \"later\", \"body\": 151.0}".getBytes(StandardCharsets.UTF_8));
    channel.basicPublish(
        "",
        Queues.Y_PRED,
        persistent,
        "{\"id\": \"later\", \"body\": 150.0}".getBytes(StandardCharsets.UTF_8));
    channel.waitForConfirmsOrDie(10_000);

    // Far below --max-age: the later pair must not wait for the unpaired halves to expire.
    CsvCheck.awaitExactRows(
        logDir.resolve("metric_log.csv"), 1, Duration.ofSeconds(15), () -> metric.tail(10));
  }
}
