package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.amqp.DeadLetterQueues;
import io.mlqueue.contract.Queues;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlqueue dead-letters list|replay}: what the services rejected, and sending it back. */
@Command(
    name = "dead-letters",
    description =
        "Inspect the dead-letter queues (<queue>.dlq) and replay their messages after a fix.",
    subcommands = {DeadLettersCommand.ListLetters.class, DeadLettersCommand.Replay.class})
final class DeadLettersCommand implements Runnable {
  /** Every queue a service consumes, and so may dead-letter from. */
  static final List<String> QUEUES =
      List.of(
          Queues.FEATURES,
          Queues.Y_TRUE,
          Queues.Y_PRED,
          Queues.PREDICT,
          Queues.Y_PRED_SHADOW,
          Queues.FEEDBACK,
          Queues.PREDICT_CHALLENGER);

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code --queue}: one pipeline queue, or all of them. */
  static final class QueueOption {
    @Option(
        names = "--queue",
        paramLabel = "QUEUE",
        defaultValue = "all",
        description =
            "features, y_true, y_pred, predict, y_pred_shadow, y_true_feedback,"
                + " predict.challenger or all (default: ${DEFAULT-VALUE}).")
    String queue;

    List<String> deadLetterQueues() {
      if ("all".equals(queue)) {
        List<String> all = new ArrayList<>();
        QUEUES.forEach(q -> all.add(Queues.deadLetterQueue(q)));
        return all;
      }
      if (!QUEUES.contains(queue)) {
        throw new IllegalArgumentException(
            "--queue must be one of " + String.join(", ", QUEUES) + " or all, was " + queue);
      }
      return List.of(Queues.deadLetterQueue(queue));
    }
  }

  @Command(
      name = "list",
      description = "Count the dead letters and show the first ones, with why; removes nothing.")
  static final class ListLetters implements Callable<Integer> {
    @Mixin AmqpOptions amqp;
    @Mixin QueueOption queue;

    @Option(
        names = "--max",
        defaultValue = "10",
        description = "Letters to show per queue (default: ${DEFAULT-VALUE}).")
    int max;

    @Override
    public Integer call() throws Exception {
      AmqpSettings settings = amqp.settings();
      try (Connection connection = BrokerConnector.connect(settings, "dead-letters")) {
        for (String dlq : queue.deadLetterQueues()) {
          long count = DeadLetterQueues.count(connection, dlq);
          System.out.println(dlq + ": " + count + " dead letter" + (count == 1 ? "" : "s"));
          for (DeadLetterQueues.Letter l :
              DeadLetterQueues.peek(
                  connection, dlq, Math.min(max, (int) Math.min(count, Integer.MAX_VALUE)))) {
            System.out.println(
                "  - "
                    + (l.at() == null ? "?" : l.at())
                    + " by "
                    + (l.service().isEmpty() ? "?" : l.service())
                    + (l.replays() > 0 ? " (replayed " + l.replays() + "x)" : "")
                    + ": "
                    + l.reason());
            System.out.println("    " + preview(l.body()));
          }
        }
      }
      return 0;
    }

    private static String preview(byte[] body) {
      String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ");
      return text.length() <= 160 ? text : text.substring(0, 160) + "… (" + body.length + " bytes)";
    }
  }

  @Command(
      name = "replay",
      description =
          "Send dead letters back to the queue they came from, oldest first, each confirmed before it leaves the dead-letter queue.")
  static final class Replay implements Callable<Integer> {
    @Mixin AmqpOptions amqp;
    @Mixin QueueOption queue;

    @Option(
        names = "--max",
        defaultValue = "1000",
        description = "Letters to replay per queue at most (default: ${DEFAULT-VALUE}).")
    int max;

    @Override
    public Integer call() throws Exception {
      AmqpSettings settings = amqp.settings();
      try (Connection connection = BrokerConnector.connect(settings, "dead-letters")) {
        for (String dlq : queue.deadLetterQueues()) {
          int replayed = DeadLetterQueues.replay(connection, dlq, max);
          System.out.println(dlq + ": replayed " + replayed);
        }
      }
      return 0;
    }
  }
}
