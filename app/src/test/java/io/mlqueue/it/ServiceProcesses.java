package io.mlqueue.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link ServiceProcess}es of one test: starts them with their logs under {@code
 * target/it-logs/<test class>/<test method>/<name>.log}, prints the tail of every log when the test
 * fails, and kills whatever is still running after the test, so no service outlives its test (or
 * its vhost).
 *
 * <p>Register it after {@link RabbitMqVhost} ({@code @Order(2)} against the vhost's
 * {@code @Order(1)}): JUnit runs after-each callbacks in reverse order, so the processes are gone
 * before their vhost is deleted.
 */
public final class ServiceProcesses implements BeforeEachCallback, AfterEachCallback {
  /** The course's Python scripts, relative to the app module. */
  static final Path COURSE_SCRIPTS = Path.of("..", "interop", "course");

  /** The project's copy of the diabetes data, which the Python scripts read. */
  static final Path DIABETES_CSV =
      Path.of("..", "data", "src", "main", "resources", "io", "mlqueue", "data", "diabetes.csv");

  static final String PYTHON = "/usr/bin/python3";

  private static final int TAIL_LINES = 60;

  private final List<ServiceProcess> started = new ArrayList<>();
  private Path logDir;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    logDir =
        Path.of(
                "target",
                "it-logs",
                context.getRequiredTestClass().getSimpleName(),
                context.getRequiredTestMethod().getName())
            .toAbsolutePath();
    Files.createDirectories(logDir);
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    if (context.getExecutionException().isPresent()) {
      for (ServiceProcess p : started) {
        System.err.printf(
            "----- %s: last %d lines of %s -----%n%s%n",
            p, TAIL_LINES, p.log(), p.tail(TAIL_LINES));
      }
    }
    for (ServiceProcess p : started) {
      if (p.isAlive()) {
        p.kill();
      }
    }
    started.clear();
  }

  /** Where this test's logs go. */
  public Path logDir() {
    return logDir;
  }

  /** The launcher, from the app module's directory (where the tests run). */
  private static final Path LAUNCHER = Path.of("..", "mlqueue");

  /**
   * Starts {@code mlqueue args…} in its own JVM against {@code amqpUri} (passed as {@code
   * MLQUEUE_AMQP_URI}, as a container would); {@code name} names its log, e.g. {@code model-2}.
   */
  public ServiceProcess mlqueue(String name, String amqpUri, String... args) throws IOException {
    return start(name, ServiceProcess.mlqueueCommand(args), Map.of("MLQUEUE_AMQP_URI", amqpUri));
  }

  /**
   * {@link #mlqueue(String, String, String...)} in a JVM with {@code jvmOptions} too (e.g. -Xmx).
   */
  public ServiceProcess mlqueue(
      String name, String amqpUri, List<String> jvmOptions, String... args) throws IOException {
    return start(
        name, ServiceProcess.mlqueueCommand(jvmOptions, args), Map.of("MLQUEUE_AMQP_URI", amqpUri));
  }

  /**
   * Starts {@code ./mlqueue args…} through the launcher script at the repository's root, as a
   * person or a container entry point would; the launcher execs the JVM, so the process is the
   * service itself (a SIGKILL reaches it). Same JVM options as {@link #mlqueue}.
   */
  public ServiceProcess launcher(String name, String amqpUri, String... args) throws IOException {
    Path script = LAUNCHER.toAbsolutePath().normalize();
    if (!Files.isExecutable(script)) {
      throw new IllegalStateException("the launcher " + script + " is missing or not executable");
    }
    List<String> command = new java.util.ArrayList<>();
    command.add(script.toString());
    command.addAll(List.of(args));
    return start(
        name,
        command,
        Map.of(
            "MLQUEUE_AMQP_URI",
            amqpUri,
            "JAVA_OPTS",
            "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m"));
  }

  /**
   * Starts the course's {@code script} (e.g. {@code model.py}) with {@code /usr/bin/python3}, with
   * {@code AMQP_URL} set to {@code amqpUri}, {@code DATA_CSV} to the project's diabetes data, and
   * {@code env} on top.
   */
  public ServiceProcess python(String script, String amqpUri, Map<String, String> env)
      throws IOException {
    Path file = COURSE_SCRIPTS.resolve(script).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("course script " + file + " is missing");
    }
    Map<String, String> all = new HashMap<>();
    all.put("AMQP_URL", amqpUri);
    all.put("DATA_CSV", DIABETES_CSV.toAbsolutePath().normalize().toString());
    all.put("PYTHONUNBUFFERED", "1");
    all.putAll(env);
    return start(script.replace(".py", "-py"), List.of(PYTHON, file.toString()), all);
  }

  /**
   * Empty if {@value #PYTHON} can import pika, scikit-learn and numpy; else why not. Checked once
   * per test JVM: importing scikit-learn takes a second.
   */
  static synchronized Optional<String> whyPythonUnavailable() {
    if (pythonProblem == null) {
      pythonProblem = checkPython();
    }
    return pythonProblem;
  }

  private static Optional<String> pythonProblem;

  private static Optional<String> checkPython() {
    String check = PYTHON + " -c \"import pika, sklearn, numpy\"";
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return Optional.of(PYTHON + " is not installed");
    }
    try {
      Path output = Files.createTempFile("python-check", ".out");
      try {
        Process p =
            new ProcessBuilder(PYTHON, "-c", "import pika, sklearn, numpy")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return Optional.of(check + " timed out");
        }
        return p.exitValue() == 0
            ? Optional.empty()
            : Optional.of(
                check + " failed: " + Files.readString(output, StandardCharsets.UTF_8).strip());
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      return Optional.of("cannot run " + check + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while running " + check);
    }
  }

  private ServiceProcess start(String name, List<String> command, Map<String, String> env)
      throws IOException {
    if (logDir == null) {
      throw new IllegalStateException("use ServiceProcesses as a @RegisterExtension field");
    }
    ServiceProcess p = ServiceProcess.start(name, command, env, logDir.resolve(name + ".log"));
    started.add(p);
    return p;
  }
}
