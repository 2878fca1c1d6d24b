package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelArtifact;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line without a broker: training, start-up checks, option parsing. */
class CommandLineTest {
  @TempDir Path dir;

  @Test
  void trainWritesAnArtifactThatModelLoads() throws Exception {
    Path csv = dir.resolve("lin.csv");
    StringBuilder rows = new StringBuilder("a,b,y\n");
    for (int i = 0; i < 20; i++) {
      rows.append(i)
          .append(',')
          .append(i * i % 7)
          .append(',')
          .append(3 + 2 * i - (i * i % 7))
          .append('\n');
    }
    Files.writeString(csv, rows);
    Path out = dir.resolve("models/lin.json");

    CommandRun train =
        CommandRun.of(
            "train",
            "--data",
            csv.toString(),
            "--target",
            "y",
            "--out",
            out.toString(),
            "--name",
            "lin");
    assertThat(train.exit()).isZero();
    assertThat(train.out()).contains("train: wrote").contains("lin:").contains("[a, b] -> y");

    LinearModel model = ModelArtifact.read(out);
    assertThat(model.intercept()).isCloseTo(3, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(model.coefficients())
        .containsExactly(new double[] {2, -1}, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aModelThatDoesNotFitTheDataIsRefusedAtStartUpInPlainWords() throws Exception {
    Path csv = dir.resolve("other.csv");
    Files.writeString(csv, "x,z,target\n1,2,3\n4,5,6\n");
    // Fails before it ever connects: the broker URI points nowhere.
    CommandRun model =
        CommandRun.of("model", "--data", csv.toString(), "--amqp-uri", "amqp://127.0.0.1:1/%2F");
    assertThat(model.exit()).isEqualTo(1);
    assertThat(model.err()).contains("mlqueue model:").contains("age");
  }

  @Test
  void aBrokerThatIsNotThereIsReportedWithoutThePassword() {
    CommandRun features =
        CommandRun.of(
            "features",
            "--count",
            "1",
            "--connect-timeout",
            "1s",
            "--amqp-uri",
            "amqp://u:s3cret@127.0.0.1:1/%2F");
    assertThat(features.exit()).as("exit code: no usable broker").isEqualTo(3);
    assertThat(features.err())
        .contains("no broker at amqp://u:****@127.0.0.1:1/%2F")
        .doesNotContain("s3cret");
  }

  @Test
  void anUnknownEncodingIsRefusedInOneLineBeforeAnyConnection() {
    CommandRun features =
        CommandRun.of(
            "features", "--encoding", "xml", "--count", "1", "--amqp-uri", "amqp://127.0.0.1:1/");
    assertThat(features.exit()).isNotZero();
    assertThat(features.err())
        .contains("--encoding: unknown encoding 'xml': json or cbor")
        .doesNotContain("no broker");
  }

  @Test
  void theBrokerUriCanComeFromAFileAndItsPasswordStaysHidden() throws Exception {
    Path secret = dir.resolve("amqp-uri");
    Files.writeString(secret, "\n  amqp://u:s3cret@127.0.0.1:1/%2F  \n");
    CommandRun features =
        CommandRun.of(
            "features",
            "--count",
            "1",
            "--connect-timeout",
            "1s",
            "--amqp-uri-file",
            secret.toString());
    assertThat(features.exit()).as("exit code: no usable broker").isEqualTo(3);
    assertThat(features.err())
        .contains("no broker at amqp://u:****@127.0.0.1:1/%2F")
        .doesNotContain("s3cret");
    CommandRun missing =
        CommandRun.of("features", "--amqp-uri-file", dir.resolve("nope").toString());
    assertThat(missing.err()).contains("cannot read the broker URI file");
  }

  @Test
  void everyOptionCanComeFromTheEnvironmentAndTheCommandLineWins() {
    assertThat(EnvironmentDefaults.variable("--batch-wait")).isEqualTo("MLQUEUE_BATCH_WAIT");
    assertThat(EnvironmentDefaults.variable("--amqp-uri")).isEqualTo("MLQUEUE_AMQP_URI");
    EnvironmentDefaults env =
        new EnvironmentDefaults(
            java.util.Map.of(
                "MLQUEUE_AMQP_URI", "amqp://u:s3cret@127.0.0.1:1/%2F",
                "MLQUEUE_CONNECT_TIMEOUT", "1s",
                "MLQUEUE_COUNT", "1"));
    CommandLine cli = Main.commandLine(env);
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err, true));
    long start = System.nanoTime();
    assertThat(cli.execute("features")).isEqualTo(ExitCodes.BROKER_UNAVAILABLE);
    assertThat(err.toString()).contains("no broker at amqp://u:****@127.0.0.1:1/%2F");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("MLQUEUE_CONNECT_TIMEOUT=1s")
        .isLessThan(Duration.ofSeconds(20));

    CommandLine again = Main.commandLine(env);
    java.io.StringWriter err2 = new java.io.StringWriter();
    again.setErr(new java.io.PrintWriter(err2, true));
    again.execute("features", "--amqp-uri", "amqp://v:other@127.0.0.1:2/%2F");
    assertThat(err2.toString()).contains("127.0.0.1:2").doesNotContain("127.0.0.1:1/");
  }

  @Test
  void plotsPipelinePanelIsTurnedOnFromTheEnvironmentAsComposeDoes() {
    EnvironmentDefaults env =
        new EnvironmentDefaults(
            java.util.Map.of(
                "MLQUEUE_BROKER_STATS", "true",
                "MLQUEUE_METRIC_URL", "http://metric:9100/metrics"));
    CommandLine cli = Main.commandLine(new Main(), env, "plot");
    PlotCommand plot = (PlotCommand) cli.parseArgs("plot").subcommand().commandSpec().userObject();
    assertThat(plot.brokerStats).isTrue();
    assertThat(plot.metricUrl).hasToString("http://metric:9100/metrics");
    CommandLine none =
        Main.commandLine(new Main(), new EnvironmentDefaults(java.util.Map.of()), "plot");
    PlotCommand off = (PlotCommand) none.parseArgs("plot").subcommand().commandSpec().userObject();
    assertThat(off.brokerStats).isFalse();
    assertThat(off.metricUrl).isNull();
  }

  @Test
  void aMessageSizeLimitOutsideWhatTheClientCanTakeIsRefusedBeforeConnecting() {
    CommandRun tiny =
        CommandRun.of(
            "metric", "--max-message-bytes", "10", "--amqp-uri", "amqp://127.0.0.1:1/%2F");
    assertThat(tiny.exit()).isEqualTo(1);
    assertThat(tiny.err()).contains("--max-message-bytes must be between 64 and 134217728, was 10");
    CommandRun huge =
        CommandRun.of(
            "model", "--max-message-bytes", "134217729", "--amqp-uri", "amqp://127.0.0.1:1/%2F");
    assertThat(huge.exit()).isEqualTo(1);
    assertThat(huge.err()).contains("--max-message-bytes must be between");
  }

  @Test
  void durationsAreWrittenAsPeopleWriteThem() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(DurationConverter.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationConverter.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> DurationConverter.parse("soon"))
        .hasMessageContaining("500ms, 10s, 2m or 1h");
  }

  @Test
  void aRunThatNamesASubcommandBuildsThatOneOnlyAndHelpStillKnowsThemAll() {
    assertThat(
            Main.commandLine(
                    new Main(),
                    new EnvironmentDefaults(java.util.Map.of()),
                    "--log-format",
                    "json",
                    "model",
                    "--help")
                .getSubcommands()
                .keySet())
        .containsExactly("model");
    assertThat(Main.named("--log-format", "model", "features"))
        .as("a value of Main's option is no name")
        .isEqualTo(FeaturesCommand.class);
    assertThat(Main.named("bogus", "model")).as("an unknown first name").isNull();
    assertThat(
            Main.commandLine(new Main(), new EnvironmentDefaults(java.util.Map.of()), "--help")
                .getSubcommands())
        .hasSize(Main.SUBCOMMANDS.size());

    CommandRun help = CommandRun.of("help", "features");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: mlqueue features");
    CommandRun model = CommandRun.of("model", "--help");
    assertThat(model.out()).contains("Usage: mlqueue model").contains("--log-format");
    CommandRun typo = CommandRun.of("modle");
    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.err()).contains("Did you mean: mlqueue model");
  }
}
