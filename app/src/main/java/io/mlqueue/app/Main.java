package io.mlqueue.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mlqueue} command line. */
@Command(
    name = "mlqueue",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help on every subcommand
    versionProvider = Main.Version.class,
    description = "A machine learning model as message-driven microservices over AMQP.",
    subcommands = {
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
      BrokerCommand.class,
      DeadLettersCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Helidon and Tribuo log through java.util.logging: send it to the one log of the process.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The command line, with its error handling; for tests. */
  static CommandLine commandLine() {
    return commandLine(new EnvironmentDefaults());
  }

  /** The command line with options defaulting from {@code defaults}; for tests. */
  static CommandLine commandLine(EnvironmentDefaults defaults) {
    return commandLine(new Main(), defaults);
  }

  /** The command line of {@code command} (Main or one subcommand) with this error handling; for tests. */
  static CommandLine commandLine(Object command, EnvironmentDefaults defaults) {
    CommandLine cli = new CommandLine(command);
    cli.setDefaultValueProvider(defaults);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (Shutdown.stoppingOnSignal()) {
            // The stop closed what the command was still starting with: a consequence of the
            // request to stop, not a failure to report (the stop exits 0).
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("ended while stopping", e);
            return 0;
          }
          // Failures people can act on (broker unreachable, bad data, bad model) print one line, not
          // a stack trace; the logs keep the detail.
          org.slf4j.LoggerFactory.getLogger(Main.class).debug("command failed", e);
          commandLine.getErr().println("mlqueue " + commandLine.getCommandName() + ": " + message(e));
          return 1;
        });
    return cli;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.toString() : m;
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
