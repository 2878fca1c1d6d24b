package io.mlqueue.amqp;

import io.mlqueue.amqp.QueueProbe.Difference;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Judges an existing queue that differs from what this service would declare: is it safe to use as
 * it is (then a WARN says what guarantee is weaker and how to get the full one), or must the
 * service stop (then one line says what differs and the fix)? RabbitMQ cannot change a queue's
 * properties in place: the fix is always to delete the queue, or to start the service in the mode
 * that declared it.
 */
final class QueueConflicts {
  private QueueConflicts() {}

  /** How much a difference matters. */
  enum Weight {
    /** Changes nothing mlqueue relies on (a priority limit, lazy mode, a stronger guarantee). */
    HARMLESS,
    /** Works, with a weaker guarantee than this mode promises: use it, and warn. */
    WEAKER,
    /** Loses or drops messages behind the service's back: stop. */
    UNSAFE
  }

  /** One difference, judged, in words: "is not durable: its messages are lost when …". */
  record Finding(Difference difference, Weight weight, String words) {}

  /** The verdict on one queue: the findings, and whether to go on. */
  record Verdict(String queue, List<Finding> findings) {
    boolean usable() {
      return findings.stream().noneMatch(f -> f.weight() == Weight.UNSAFE);
    }

    /** What to say: one WARN line, or the one line the service stops with; empty when nothing. */
    String message(String service, AmqpSettings settings) {
      String vhost = settings.vhost();
      String delete = "rabbitmqctl -p " + vhost + " delete_queue " + queue;
      String where = service + ": queue '" + queue + "' on virtual host '" + vhost + "'";
      String differs =
          findings.stream()
              .map(
                  f ->
                      f.difference().key()
                          + " "
                          + f.difference().current()
                          + " (wanted "
                          + f.difference().wanted()
                          + ")")
              .collect(Collectors.joining(", "));
      if (!usable()) {
        return where
            + " cannot be used as it is: it "
            + words(Weight.UNSAFE)
            + " [existing vs"
            + " wanted: "
            + differs
            + "]. Fix: stop every service that uses it, run `"
            + delete
            + "` (the messages in it go with it) and start again, or use another virtual host";
      }
      String weaker = words(Weight.WEAKER);
      if (!weaker.isEmpty()) {
        return where
            + " "
            + weaker
            + ": using it as it is [existing vs wanted: "
            + differs
            + "]. To have it as this mode declares it, stop every service that uses it, run `"
            + delete
            + "` (the messages in it go with it) and start again"
            + modeHint(settings);
      }
      return "";
    }

    /** The words of the findings of {@code weight}, joined. */
    private String words(Weight weight) {
      return findings.stream()
          .filter(f -> f.weight() == weight)
          .map(Finding::words)
          .collect(Collectors.joining("; it "));
    }

    private String modeHint(AmqpSettings settings) {
      boolean notDurable =
          findings.stream()
              .anyMatch(
                  f ->
                      f.difference().key().equals("durable")
                          && f.difference().current().equals("false"));
      return notDurable && settings.mode() == TopologyMode.DURABLE
          ? " (it was declared by the course's services or --compat course; while those run, keep"
              + " it)"
          : "";
    }
  }

  /** Judges each difference of {@code queue} for a service with {@code settings}. */
  static Verdict judge(String queue, List<Difference> differences, AmqpSettings settings) {
    List<Finding> findings = new ArrayList<>();
    for (Difference d : differences) {
      findings.add(judge(d, settings));
    }
    return new Verdict(queue, findings);
  }

  private static Finding judge(Difference d, AmqpSettings settings) {
    String current = d.current();
    return switch (d.key()) {
      case "durable" ->
          current.equals("false")
              ? new Finding(
                  d,
                  Weight.WEAKER,
                  "is not durable: it and its messages are lost when" + " the broker restarts")
              : new Finding(
                  d,
                  settings.mode() == TopologyMode.COURSE ? Weight.WEAKER : Weight.HARMLESS,
                  "is durable, as mlqueue's default mode declares it: the course's Python services"
                      + " cannot declare it (RabbitMQ refuses their non-durable declare)");
      case "auto_delete" ->
          new Finding(
              d,
              Weight.UNSAFE,
              "is auto-delete: the broker deletes it, and the messages"
                  + " in it, when its last consumer goes");
      case "x-queue-type" -> queueType(d);
      case "x-message-ttl" ->
          new Finding(
              d,
              Weight.UNSAFE,
              "has x-message-ttl "
                  + current
                  + ": the broker discards"
                  + " messages older than "
                  + current
                  + " ms");
      case "x-expires" ->
          new Finding(
              d,
              Weight.UNSAFE,
              "has x-expires "
                  + current
                  + ": the broker deletes the"
                  + " queue, messages and all, after "
                  + current
                  + " ms unused");
      case "x-max-length", "x-max-length-bytes" ->
          new Finding(
              d,
              Weight.UNSAFE,
              "has "
                  + d.key()
                  + " "
                  + current
                  + ": beyond it the broker"
                  + " drops or refuses messages");
      case "x-delivery-limit" ->
          new Finding(
              d,
              Weight.UNSAFE,
              "has x-delivery-limit "
                  + current
                  + ": the broker drops a"
                  + " message delivered more often, and mlqueue requeues a message as long as its side"
                  + " effect fails (a full disk)");
      case "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-dead-letter-strategy" ->
          new Finding(
              d,
              Weight.WEAKER,
              "has "
                  + d.key()
                  + " "
                  + current
                  + ": what the broker itself"
                  + " dead-letters goes there without a reason, apart from mlqueue's dead letters");
      case "x-single-active-consumer" ->
          current.equals("true")
              ? new Finding(
                  d,
                  Weight.WEAKER,
                  "has x-single-active-consumer: only one consumer at a"
                      + " time gets messages, so more workers add no throughput")
              : new Finding(d, Weight.HARMLESS, "");
      case "x-max-priority",
          "x-queue-mode",
          "x-queue-version",
          "x-queue-master-locator",
          "x-queue-leader-locator",
          "x-quorum-initial-group-size",
          "x-max-in-memory-length",
          "x-max-in-memory-bytes",
          "x-overflow" ->
          new Finding(d, Weight.HARMLESS, "");
      default ->
          new Finding(
              d,
              Weight.UNSAFE,
              "has " + d.key() + " " + current + ", which mlqueue does" + " not know to be safe");
    };
  }

  private static Finding queueType(Difference d) {
    String current = d.current().equals("none") ? "classic" : d.current();
    String wanted = d.wanted().equals("none") ? "classic" : d.wanted();
    if (current.equals(wanted)) {
      return new Finding(d, Weight.HARMLESS, "");
    }
    return switch (current) {
      case "quorum" -> new Finding(d, Weight.HARMLESS, "");
      case "classic" ->
          new Finding(
              d,
              Weight.WEAKER,
              "is a classic queue, not the quorum queue --queue-type"
                  + " quorum asks for: not replicated, so it is lost with the node that holds it");
      default ->
          new Finding(
              d,
              Weight.UNSAFE,
              "is a " + current + " queue, which mlqueue cannot consume" + " as a work queue");
    };
  }
}
