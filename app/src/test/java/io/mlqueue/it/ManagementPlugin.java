package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * RabbitMQ's management plugin on the local broker, on for a test and as it was afterwards: {@link
 * #enable} turns it on ({@code rabbitmq-plugins enable rabbitmq_management}) and waits until its
 * API answers; {@link #close} turns it off again if it was off before, since it costs broker CPU
 * that benchmarks on the same machine measure.
 */
public final class ManagementPlugin implements AutoCloseable {
  public static final String URL = "http://127.0.0.1:15672";

  private static final String PLUGIN = "rabbitmq_management";
  private final boolean wasEnabled;

  private ManagementPlugin(boolean wasEnabled) {
    this.wasEnabled = wasEnabled;
  }

  /** Whether the plugin is enabled on the local node now. */
  public static boolean enabled() throws IOException, InterruptedException {
    return run(Duration.ofSeconds(60), "is_enabled", PLUGIN).exit == 0;
  }

  /** Turns the plugin on if it is off and waits up to {@code timeout} for its API to answer. */
  public static ManagementPlugin enable(Duration timeout) throws IOException, InterruptedException {
    ManagementPlugin plugin = new ManagementPlugin(enabled());
    try {
      if (!plugin.wasEnabled) {
        Result r = run(Duration.ofSeconds(120), "enable", PLUGIN);
        assertThat(r.exit).as("rabbitmq-plugins enable %s:%n%s", PLUGIN, r.output).isZero();
      }
      plugin.awaitAnswer(timeout);
      return plugin;
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      plugin.close();
      throw e;
    }
  }

  /** Whether the plugin was on before {@link #enable}. */
  public boolean wasEnabled() {
    return wasEnabled;
  }

  private void awaitAnswer(Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest overview =
        HttpRequest.newBuilder(URI.create(URL + "/api/overview"))
            .timeout(Duration.ofSeconds(5))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "nothing yet";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = client.send(overview, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
        last = "status " + r.statusCode();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "the management API did not answer at " + URL + " within " + timeout + " (" + last + ")");
  }

  /** Turns the plugin off again if it was off before {@link #enable}. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (!wasEnabled) {
      Result r = run(Duration.ofSeconds(120), "disable", PLUGIN);
      assertThat(r.exit).as("rabbitmq-plugins disable %s:%n%s", PLUGIN, r.output).isZero();
    }
  }

  private record Result(int exit, String output) {}

  private static Result run(Duration timeout, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(
        executable()
            .orElseThrow(() -> new AssertionError("rabbitmq-plugins not found"))
            .toString());
    command.addAll(List.of(args));
    Path output = Files.createTempFile("rabbitmq-plugins", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("rabbitmq-plugins " + String.join(" ", args) + " timed out");
      }
      return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** {@code rabbitmq-plugins}, installed beside the {@code rabbitmqctl} the vhost helper uses. */
  private static Optional<Path> executable() {
    return RabbitMqVhost.rabbitmqctl()
        .map(ctl -> ctl.resolveSibling("rabbitmq-plugins"))
        .filter(Files::isExecutable);
  }
}
