package io.mlqueue.app;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlqueue} command line. */
@Command(
    name = "mlqueue",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help on every subcommand
    versionProvider = Main.Version.class,
    description = "A machine learning model as message-driven microservices over AMQP.")
public final class Main implements Runnable {
  /**
   * The subcommands, in the order of the usage help. Added to the command line by {@link
   * #commandLine(Object, EnvironmentDefaults, String...)} rather than listed in the annotation:
   * picocli builds the model of every subcommand it is given, which took a service 0.3–0.8 s of its
   * start-up (picocli's classes are Java 5 class files, which the JDK's AOT cache cannot hold, so
   * they are loaded and verified anew each time), so a run that names one gets that one only.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          DemoCommand.class,
          FeaturesCommand.class,
          ModelCommand.class,
          MetricCommand.class,
          PlotCommand.class,
          GatewayCommand.class,
          TrainCommand.class,
          ModelsCommand.class,
          RunsCommand.class,
          EvaluateCommand.class,
          PromoteCommand.class,
          BrokerCommand.class,
          DeadLettersCommand.class,
          StatusCommand.class,
          DriftCommand.class,
          BenchCommand.class,
          CommandLine.HelpCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      scope = CommandLine.ScopeType.INHERIT,
      defaultValue = "text",
      description =
          "Log lines as 'text' (default) or 'json' (one JSON object per line, for a log pipeline);"
              + " also MLQUEUE_LOG_FORMAT.")
  String logFormat;

  public static void main(String[] args) {
    // Read before anything logs: Logback configures itself at the first logger, which the command
    // classes create as picocli loads them.
    String format = logFormat(args);
    if (!format.equals("text") && !format.equals("json")) {
      System.err.println("mlqueue: --log-format must be text or json, was " + format);
      System.exit(2);
    }
    System.setProperty(LogConfiguration.FORMAT_PROPERTY, format);
    // Helidon and Tribuo log through java.util.logging: send it to the one log of the process.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    System.exit(run(args));
  }

  /**
   * The value of --log-format in {@code args} (either spelling), else MLQUEUE_LOG_FORMAT's, else
   * text.
   */
  static String logFormat(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--log-format") && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--log-format=")) {
        return args[i].substring("--log-format=".length());
      }
    }
    String env = System.getenv("MLQUEUE_LOG_FORMAT");
    return env == null || env.isBlank() ? "text" : env.strip();
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    return commandLine(new Main(), new EnvironmentDefaults(), args).execute(args);
  }

  /** The whole command line, with its error handling; for tests. */
  static CommandLine commandLine() {
    return commandLine(new EnvironmentDefaults());
  }

  /** The whole command line with options defaulting from {@code defaults}; for tests. */
  static CommandLine commandLine(EnvironmentDefaults defaults) {
    return commandLine(new Main(), defaults);
  }

  /**
   * The command line of {@code command} (Main or one subcommand) with this error handling; for
   * tests.
   */
  static CommandLine commandLine(Object command, EnvironmentDefaults defaults) {
    return commandLine(command, defaults, new String[0]);
  }

  /**
   * The command line of {@code command} with this error handling. When {@code command} is Main,
   * only the subcommand {@code args} name is added if they name one (the rest changes nothing for
   * that run), every subcommand otherwise: for {@code --help}, {@code help} or a mistyped name.
   */
  static CommandLine commandLine(Object command, EnvironmentDefaults defaults, String... args) {
    CommandLine cli = new CommandLine(command);
    if (command instanceof Main) {
      Class<?> named = named(args);
      for (Class<?> sub : SUBCOMMANDS) {
        if (named == null || named == sub) {
          cli.addSubcommand(sub);
        }
      }
    }
    // After the subcommands: picocli hands these settings to the subcommands present.
    cli.setDefaultValueProvider(defaults);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (Shutdown.stoppingOnSignal()) {
            // The stop closed what the command was still starting with: a consequence of the
            // request to stop, not a failure to report (the stop exits 0).
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("ended while stopping", e);
            return 0;
          }
          // Failures people can act on (broker unreachable, bad data, bad model) print one line,
          // not
          // a stack trace; the logs keep the detail.
          org.slf4j.LoggerFactory.getLogger(Main.class).debug("command failed", e);
          commandLine
              .getErr()
              .println(
                  "mlqueue "
                      + commandLine.getCommandName()
                      + ": "
                      + io.mlqueue.amqp.Failures.message(e));
          return ExitCodes.of(e);
        });
    return cli;
  }

  /** The subcommand that the first argument other than Main's own options names, or null. */
  static Class<?> named(String... args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--log-format")) {
        i++; // its value
      } else if (!args[i].startsWith("-")) {
        for (Class<?> sub : SUBCOMMANDS) {
          if (sub.getAnnotation(Command.class).name().equals(args[i])) {
            return sub == CommandLine.HelpCommand.class ? null : sub; // help tells of them all
          }
        }
        return null;
      }
    }
    return null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mlqueue " + (v == null ? "(development build)" : v)};
    }
  }
}
