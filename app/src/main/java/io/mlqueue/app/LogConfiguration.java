package io.mlqueue.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * The services' logging, set up in code: one line per event on standard error, so standard output
 * stays for what a command prints; {@code MLQUEUE_LOG_LEVEL} (default INFO) for our own lines, WARN
 * for the libraries'; text, or JSON with {@code --log-format json} ({@code MLQUEUE_LOG_FORMAT}).
 *
 * <p>In code rather than a {@code logback.xml} because reading XML costs start-up time: Logback's
 * XML configuration loaded some 600 classes and took about a third of a service's start-up
 * (docs/PERFORMANCE.md). A configuration file still wins when one is given ({@code
 * -Dlogback.configurationFile=FILE}, or a {@code logback-test.xml} on the class path in tests).
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {
  /** Libraries whose INFO lines say nothing an operator of mlqueue needs. */
  private static final List<String> QUIET =
      List.of(
          "org.apache.qpid",
          "qpid",
          "com.rabbitmq",
          "org.tribuo",
          "com.oracle.labs.mlrg.olcut",
          "io.helidon");

  /**
   * A line of text; a line written while a traced message is handled ends with its message id and
   * trace id (the MDC fields of {@link io.mlqueue.amqp.MessageSpan}), and other lines with nothing.
   */
  static final String PATTERN =
      "%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg"
          + "%replace( [message_id=%X{message_id}]){' \\[message_id=\\]', ''}"
          + "%replace( [trace_id=%X{trace_id}]){' \\[trace_id=\\]', ''}%n";

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

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder(context, format()));
    stderr.start();

    for (String name : QUIET) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getenv("MLQUEUE_LOG_LEVEL"), Level.INFO));
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * The system property {@link Main} sets from {@code --log-format}, read before logging starts.
   */
  static final String FORMAT_PROPERTY = "mlqueue.log.format";

  /** {@code text} (default) or {@code json}: from --log-format, else MLQUEUE_LOG_FORMAT. */
  static String format() {
    String format = System.getProperty(FORMAT_PROPERTY);
    if (format == null) {
      format = System.getenv("MLQUEUE_LOG_FORMAT");
    }
    return format == null || format.isBlank() ? "text" : format.strip();
  }

  /**
   * One line per event: as text for a person, or as JSON (Logback's own encoder: time, level,
   * logger, thread, message, MDC, exception) for a log pipeline. The MDC carries {@code
   * message_id}, {@code trace_id} and {@code span_id} while a traced message is handled. An unknown
   * format is refused by {@link Main} before logging starts; here it falls back to text.
   */
  static Encoder<ILoggingEvent> encoder(LoggerContext context, String format) {
    if (format.equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      // The message as a person reads it, rather than its pattern and arguments apart; no
      // per-process context or sequence numbers, which say nothing about the event.
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithContext(false);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }
}
