package io.mlqueue.app;

import java.util.function.Supplier;

/**
 * Starts an HTTP listener whose port comes from a command-line option, so that a port that cannot
 * be bound stops the command with one line naming the option: {@code --metrics-port 8081: cannot
 * listen on 0.0.0.0:8081: Address already in use}.
 */
final class Listening {
  private Listening() {}

  /**
   * {@code start}'s server; its {@link IllegalStateException} (the servers' "cannot listen") comes
   * back prefixed with {@code option} and {@code port}.
   */
  static <T> T on(String option, int port, Supplier<T> start) {
    try {
      return start.get();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(option + " " + port + ": " + e.getMessage(), e);
    }
  }
}
