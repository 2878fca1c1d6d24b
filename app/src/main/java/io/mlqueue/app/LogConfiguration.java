package io.mlqueue.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * The services' logging, set up in code: one line per event on standard error, so standard output
 * stays for what a command prints; {@code MLQUEUE_LOG_LEVEL} (default INFO) for our own lines, WARN
 * for the libraries'.
 *
 * <p>In code rather than a {@code logback.xml} because reading XML costs start-up time: Logback's
 * XML configuration loaded some 600 classes and took about a third of a service's start-up
 * (docs/PERFORMANCE.md). A configuration file still wins when one is given ({@code
 * -Dlogback.configurationFile=FILE}, or a {@code logback-test.xml} on the class path in tests).
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {
  /** Libraries whose INFO lines say nothing an operator of mlqueue needs. */
  private static final List<String> QUIET =
      List.of("org.apache.qpid", "qpid", "com.rabbitmq", "org.tribuo", "com.oracle.labs.mlrg.olcut",
          "io.helidon");

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || LogConfiguration.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    // Helidon and Tribuo log through java.util.logging, which Main bridges to SLF4J; this keeps
    // the JUL levels in step with ours, so filtered records cost nothing.
    LevelChangePropagator jul = new LevelChangePropagator();
    jul.setContext(context);
    jul.setResetJUL(true);
    context.addListener(jul);
    jul.start();

    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getenv("MLQUEUE_LOG_LEVEL"), Level.INFO));
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
