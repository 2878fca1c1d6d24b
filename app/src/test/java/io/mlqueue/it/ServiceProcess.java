package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service running in its own operating-system process, as in production: an {@code mlqueue}
 * subcommand in its own JVM ({@code java -jar target/mlqueue.jar …}) or one of the course's Python
 * scripts. Standard output and standard error both go to one log file, which the test reads to wait
 * for readiness lines and which {@link ServiceProcesses} prints the tail of when a test fails.
 *
 * <p>Every wait is bounded: a service that hangs fails the test instead of the build.
 */
public final class ServiceProcess {
  /** The assembled application, relative to the app module (failsafe's working directory). */
  static final Path JAR = Path.of("target", "mlqueue.jar");

  private static final Duration POLL = Duration.ofMillis(50);

  private final String name;
  private final Path log;
  private final Process process;

  private ServiceProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /**
   * The command line that runs {@code mlqueue args…} in a new JVM: the JVM running this test, the
   * jar the {@code package} phase built.
   */
  static List<String> mlqueueCommand(String... args) {
    return mlqueueCommand(List.of(), args);
  }

  /**
   * {@link #mlqueueCommand(String...)} with {@code jvmOptions} after the defaults, so they win over
   * them (the last {@code -Xmx} counts).
   */
  static List<String> mlqueueCommand(List<String> jvmOptions, String... args) {
    Path jar = JAR.toAbsolutePath();
    if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
      throw new IllegalStateException(
          jar
              + " (with lib/ beside it) is missing: integration tests run the packaged application;"
              + " run 'mvn verify' (or 'mvn package' first) in the app module");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Headless: plot draws with Java2D and there is no display. Serial GC and C1 only: four JVMs
    // share two cores here, and these services are short-lived and small, so parallel GC threads
    // and C2 compilation would only slow their start-up and each other.
    command.add("-Djava.awt.headless=true");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  /**
   * Starts {@code command} with {@code env} added to this process's environment, writing its output
   * to {@code log} (created with its parent directories, replaced if present).
   */
  static ServiceProcess start(String name, List<String> command, Map<String, String> env, Path log)
      throws IOException {
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().putAll(env);
    Files.writeString(log, "");
    return new ServiceProcess(name, log, builder.start());
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The whole log so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The log's lines so far. */
  public List<String> lines() {
    return output().lines().toList();
  }

  /** The last {@code n} lines of the log, for failure messages. */
  public String tail(int n) {
    List<String> lines = lines();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }

  /**
   * Waits until the log contains {@code fragment}, e.g. a readiness line such as {@code "consuming
   * features"}. Fails at once if the process exits without having written it.
   */
  public void awaitLog(String fragment, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (output().contains(fragment)) {
        return;
      }
      if (!process.isAlive()) {
        // One more look: the line may have been written just before the exit.
        if (output().contains(fragment)) {
          return;
        }
        throw new AssertionError(
            name
                + " exited with "
                + process.exitValue()
                + " before logging '"
                + fragment
                + "':\n"
                + tail(40));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name + " did not log '" + fragment + "' within " + timeout + ":\n" + tail(40));
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Waits for the process to end by itself; returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " still running after " + timeout + ":\n" + tail(40));
    }
    return process.exitValue();
  }

  /** Waits for the process to end by itself and asserts it exited with 0. */
  public void awaitSuccess(Duration timeout) throws InterruptedException {
    int code = awaitExit(timeout);
    assertThat(code).as("exit code of %s; its log ends:%n%s", name, tail(40)).isZero();
  }

  /**
   * Stops the process the way an orchestrator does, with SIGTERM, and waits up to {@code timeout}
   * for it to end; returns its exit code. A process that ignores the signal fails the test (and is
   * then killed).
   */
  public int stop(Duration timeout) throws InterruptedException {
    process.destroy(); // SIGTERM on Unix
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          name + " did not stop within " + timeout + " of SIGTERM; killed it:\n" + tail(40));
    }
    return process.exitValue();
  }

  /** {@link #stop(Duration)} with 30 s, more than a service needs to drain. */
  public int stop() throws InterruptedException {
    return stop(Duration.ofSeconds(30));
  }

  /**
   * Stops the process with SIGTERM and asserts it exited with 0: a service that drained on request
   * has done nothing wrong, and an orchestrator must be able to tell that from a crash.
   */
  public void stopCleanly() throws InterruptedException {
    int code = stop();
    assertThat(code)
        .as(
            "exit code of %s after SIGTERM (143: it died of the signal); its log ends:%n%s",
            name, tail(20))
        .isZero();
  }

  /**
   * Kills the process with SIGKILL, as a crash or an OOM killer would, and waits until it is gone.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " survived SIGKILL for 10 s");
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + (process.isAlive() ? ", running" : ", exited") + ")";
  }
}
