package io.mlqueue.app;

import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.it.RabbitMqVhost;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The canary with feedback labels ({@link CanaryFeedbackTest}) on the real RabbitMQ, in a scratch
 * vhost: the replies come back on direct reply-to, and the answers, truths and model log go through
 * RabbitMQ's durable queues.
 */
class CanaryFeedbackIT {
  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();
  @TempDir Path dir;

  @Test
  void everyAnswerIsLabelledWithItsModelAndJoinedToItsTruth() throws Exception {
    CanaryFeedbackTest.check(AmqpSettings.of(rabbit.uri()), dir);
  }
}
