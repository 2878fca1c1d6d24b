package io.mlqueue.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/**
 * One run of the command line in this JVM, as a user would type it, with what it printed. The
 * environment is empty, so the machine's {@code MLQUEUE_*} variables cannot change the outcome.
 */
record CommandRun(int exit, String out, String err) {

  static CommandRun of(String... args) {
    return of(new Main(), args);
  }

  /** A run of {@code command} (a subcommand object the test holds on to) with the same handling. */
  static CommandRun of(Object command, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      CommandLine cli = Main.commandLine(command, new EnvironmentDefaults(Map.of()), args);
      cli.setErr(new PrintWriter(e, true));
      int exit = cli.execute(args);
      return new CommandRun(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
    }
  }
}
