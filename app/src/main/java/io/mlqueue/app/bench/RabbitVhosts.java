package io.mlqueue.app.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Scratch virtual hosts on the RabbitMQ of this machine, through {@code rabbitmqctl} (run as root
 * or a RabbitMQ administrator): each benchmark run gets a fresh, empty namespace of queues, and
 * leaves nothing behind.
 */
final class RabbitVhosts {
  private RabbitVhosts() {}

  /** Whether {@code rabbitmqctl} answers. */
  static boolean available() {
    try {
      return run(List.of("rabbitmqctl", "-q", "version")).exitCode == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates {@code mlqueue-bench-…} with all permissions for {@code user}; returns its name. */
  static String create(String user) throws IOException {
    String name = "mlqueue-bench-" + UUID.randomUUID().toString().substring(0, 8);
    check(run(List.of("rabbitmqctl", "-q", "add_vhost", name)), "add_vhost " + name);
    check(
        run(List.of("rabbitmqctl", "-q", "set_permissions", "-p", name, user, ".*", ".*", ".*")),
        "set_permissions on " + name);
    return name;
  }

  static void delete(String name) {
    try {
      run(List.of("rabbitmqctl", "-q", "delete_vhost", name));
    } catch (IOException e) {
      // best effort: a leftover scratch vhost is harmless and named as such
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, command + " took over 60 s");
      }
      return new Result(
          p.exitValue(),
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted running " + command, e);
    }
  }

  private static void check(Result r, String what) throws IOException {
    if (r.exitCode != 0) {
      throw new IOException("rabbitmqctl " + what + " failed: " + r.output);
    }
  }
}
