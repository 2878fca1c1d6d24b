package io.mlqueue.app;

import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.QueueType;
import io.mlqueue.amqp.TopologyMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Broker options shared by every AMQP service. */
final class AmqpOptions {
  @Option(
      names = "--amqp-uri",
      paramLabel = "URI",
      description =
          "Broker URI (default: environment variable MLQUEUE_AMQP_URI, else "
              + "amqp://guest:guest@localhost:5672/%%2F). Several, separated by commas, name the"
              + " nodes of a cluster: the service connects to one and fails over to the others."
              + " Its password is never logged.")
  String uri;

  @Option(
      names = "--amqp-uri-file",
      paramLabel = "FILE",
      description =
          "Read the broker URI from FILE, e.g. a mounted secret (also: environment variable"
              + " MLQUEUE_AMQP_URI_FILE), so the password is in neither the command line nor the"
              + " environment.")
  Path uriFile;

  @Option(
      names = "--amqp-ca-file",
      paramLabel = "FILE",
      description =
          "For amqps:// URIs: trust the CA certificates in this PEM file (e.g. a private CA that"
              + " signed the broker's certificate) instead of the JVM's default ones. The broker's"
              + " certificate and host name are verified either way.")
  Path caFile;

  @Option(
      names = "--compat",
      paramLabel = "MODE",
      defaultValue = "none",
      description =
          "'course' declares queues exactly as the course's Python services do (non-durable, no"
              + " arguments), so both can share a broker; 'none' (default) declares them durable.")
  String compat;

  @Option(
      names = "--queue-type",
      paramLabel = "TYPE",
      defaultValue = "classic",
      description =
          "'quorum' declares quorum queues, replicated over a RabbitMQ cluster; 'classic' (default)"
              + " for a single broker.")
  String queueType;

  @Option(
      names = "--prefetch",
      paramLabel = "N",
      defaultValue = "" + AmqpSettings.DEFAULT_PREFETCH,
      description = "Unacknowledged messages a consumer may hold (default: ${DEFAULT-VALUE}).")
  int prefetch;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      defaultValue = "5m",
      converter = DurationConverter.class,
      description =
          "How long to keep retrying when the broker is down at start-up (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--poison-attempts",
      paramLabel = "N",
      defaultValue = "" + AmqpSettings.DEFAULT_POISON_ATTEMPTS,
      description =
          "A message whose handling fails N times while other messages go through is dead-lettered"
              + " as a poison message, with the error as the reason (default: ${DEFAULT-VALUE}; 0:"
              + " never). When every message fails (a full disk), none is given up.")
  int poisonAttempts;

  AmqpSettings settings() {
    return new AmqpSettings(
        uri != null
            ? uri
            : uriFile != null ? AmqpSettings.readUri(uriFile) : AmqpSettings.defaultUri(),
        TopologyMode.fromCompat(compat),
        prefetch,
        connectTimeout,
        QueueType.parse(queueType),
        Optional.ofNullable(caFile),
        poisonAttempts);
  }
}
