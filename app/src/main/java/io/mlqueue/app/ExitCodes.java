package io.mlqueue.app;

import io.mlqueue.amqp.BrokerRefusedException;
import io.mlqueue.amqp.BrokerUnavailableException;

/**
 * The exit codes of every {@code mlqueue} command, as README's "When something goes wrong" lists
 * them: a script or an orchestrator can tell "fix the command line" from "fix the broker" from "the
 * broker is not there yet".
 */
final class ExitCodes {
  /** Done, or stopped on request (SIGTERM, Ctrl-C) after draining. */
  static final int OK = 0;

  /** The command could not do its job: bad data, a bad model, a port taken, a failed check. */
  static final int FAILED = 1;

  /** The command line is wrong: an unknown option, a value out of range (picocli's usage code). */
  static final int USAGE = 2;

  /**
   * No usable broker: unreachable within --connect-timeout, or it refused the connection (user or
   * password, virtual host, TLS on a plain port or the reverse, not an AMQP 0-9-1 broker).
   */
  static final int BROKER_UNAVAILABLE = 3;

  /**
   * The broker refuses what the service needs: a queue that exists with properties it cannot use,
   * or is exclusive to another connection; a missing configure, write or read permission.
   */
  static final int BROKER_REFUSED = 4;

  /** A second SIGTERM or Ctrl-C ended the service without waiting for the drain. */
  static final int INTERRUPTED = 130;

  private ExitCodes() {}

  /** The exit code for a command that failed with {@code e}. */
  static int of(Throwable e) {
    return switch (e) {
      case BrokerUnavailableException u -> BROKER_UNAVAILABLE;
      case BrokerRefusedException r -> BROKER_REFUSED;
      default -> FAILED;
    };
  }
}
