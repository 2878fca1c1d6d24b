package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.app.evaluate.ModelLogs;
import io.mlqueue.model.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code evaluate} on logs built directly, with a registry in a temporary directory. */
class EvaluateCommandTest {
  @TempDir Path dir;

  /** Logging set up before stdout is captured: its status lines are not part of any report. */
  @BeforeAll
  static void startLogging() {
    LoggerFactory.getLogger(EvaluateCommandTest.class).debug("logging ready");
  }

  private static final String COST =
      """
      unit: EUR
      under_prediction: 2
      over_prediction: 1
      bands:
        - name: high case missed
          true_above: 200
          predicted_below: 150
          cost: 500
      """;

  private Path file(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private JsonNode json(CommandRun run) throws Exception {
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).as("JSON alone on stdout").startsWith("{");
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void textReportShowsEachModelAndThePairedComparison() throws Exception {
    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 45, 600, 0, 1);
    CommandRun run = CommandRun.of("evaluate", "--log", log.toString(), "--resamples", "500");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("1200 rows in [start, end)")
        .contains("champion diabetes:1, challenger diabetes:2") // as many rows: the first by name
        .contains("paired on 600 shared ids:")
        .contains("MAE difference")
        .contains("methods: α = 0.05");
    assertThat(run.out().lines().filter(l -> l.startsWith("diabetes:"))).hasSize(2);
  }

  @Test
  void jsonShowsABetterChallengerWithEveryTestAgreeingAndASavingInMoney() throws Exception {
    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 40, 1500, 0, 2);
    JsonNode j =
        json(
            CommandRun.of(
                "evaluate",
                "--log",
                log.toString(),
                "--json",
                "--resamples",
                "500",
                "--champion",
                "diabetes:1",
                "--challenger",
                "diabetes:2",
                "--cost",
                file("cost.yaml", COST).toString()));
    JsonNode abs = j.path("paired").path("absolute_error");
    assertThat(abs.path("n").asInt()).isEqualTo(1500);
    assertThat(abs.path("difference").path("lower").asDouble()).isPositive();
    assertThat(abs.path("confidence_sequence").path("lower").asDouble()).isPositive();
    assertThat(abs.path("paired_t").path("p").asDouble()).isLessThan(0.001);
    assertThat(abs.path("wilcoxon").path("p").asDouble()).isLessThan(0.001);
    assertThat(abs.path("wilcoxon").path("z").isNull()).isFalse();
    JsonNode saving = j.path("paired").path("saving_per_1000");
    assertThat(saving.path("difference").path("lower").asDouble()).isPositive();
    assertThat(j.path("models").get(0).path("cost_per_1000").path("estimate").asDouble())
        .isGreaterThan(j.path("models").get(1).path("cost_per_1000").path("estimate").asDouble());
    assertThat(j.path("settings").path("bootstrap").path("resamples").asInt()).isEqualTo(500);
    assertThat(j.path("unpaired").isNull()).isTrue();
  }

  @Test
  void aCanaryIsComparedUnpaired() throws Exception {
    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 40, 0, 1200, 3);
    JsonNode j =
        json(
            CommandRun.of(
                "evaluate",
                "--log",
                log.toString(),
                "--json",
                "--resamples",
                "500",
                "--champion",
                "diabetes:1",
                "--challenger",
                "diabetes:2"));
    assertThat(j.path("paired").isNull()).isTrue();
    JsonNode u = j.path("unpaired").path("absolute_error");
    assertThat(u.path("champion_n").asInt()).isEqualTo(600);
    assertThat(u.path("difference").path("lower").asDouble()).isPositive();
    assertThat(u.path("welch_t").path("p").asDouble()).isLessThan(0.001);
    assertThat(u.path("mann_whitney").path("p").asDouble()).isLessThan(0.001);
    // The always-valid interval, wider than the fixed-sample one and here above 0 too.
    JsonNode cs = u.path("confidence_sequence");
    assertThat(cs.path("lower").asDouble())
        .isPositive()
        .isLessThan(u.path("difference").path("lower").asDouble());
    assertThat(cs.path("upper").asDouble())
        .isGreaterThan(u.path("difference").path("upper").asDouble());
  }

  @Test
  void aCanarysHtmlReportDrawsItsTwoSampleConfidenceSequence() throws Exception {
    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 40, 0, 1200, 3);
    Path html = dir.resolve("canary.html");
    CommandRun run =
        CommandRun.of(
            "evaluate",
            "--log",
            log.toString(),
            "--resamples",
            "300",
            "--champion",
            "diabetes:1",
            "--challenger",
            "diabetes:2",
            "--html",
            html.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("always-valid [");
    String page = Files.readString(html);
    assertThat(page)
        .contains("Confidence sequence of the MAE difference")
        .contains("rows of both models (unpaired)")
        .contains("<th>always-valid</th><th>Welch t (p)</th>");
  }

  @Test
  void windowKeepsOnlyTheRowsLoggedInIt() throws Exception {
    Path log = ModelLogs.write(dir.resolve("model_log.csv"), "m:1", 50, "m:2", 50, 1000, 0, 4);
    // 1,000 pairs 100 ms apart: [start + 10 s, start + 20 s) holds ids 100..199.
    JsonNode j =
        json(
            CommandRun.of(
                "evaluate",
                "--log",
                log.toString(),
                "--json",
                "--resamples",
                "200",
                "--since",
                ModelLogs.START.plusSeconds(10).toString(),
                "--until",
                ModelLogs.START.plusSeconds(20).toString()));
    assertThat(j.path("log").path("rows").asInt()).isEqualTo(200);
    assertThat(j.path("log").path("rows_read").asInt()).isEqualTo(2000);
    assertThat(j.path("paired").path("n").asInt()).isEqualTo(100);
  }

  @Test
  void htmlReportIsOneSelfContainedPage() throws Exception {
    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 45, 800, 200, 5);
    Path html = dir.resolve("report.html");
    CommandRun run =
        CommandRun.of(
            "evaluate",
            "--log",
            log.toString(),
            "--resamples",
            "300",
            "--cost",
            file("cost.yaml", COST).toString(),
            "--html",
            html.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("</html>");
    assertThat(page.split("<svg", -1))
        .hasSize(1 + 4); // two error panels, cumulative cost, sequence
    assertThat(page).contains("Confidence sequence of the saving per 1,000 predictions");
    assertThat(page.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
        .doesNotContain("http:")
        .doesNotContain("https:")
        .doesNotContain("<script");
  }

  private String registry() throws Exception {
    Path csv = dir.resolve("train.csv");
    StringBuilder text = new StringBuilder("a,y\n");
    for (int i = 0; i < 20; i++) {
      text.append(i).append(',').append(3 + 2 * i + (i % 3)).append('\n');
    }
    Files.writeString(csv, text);
    String registry = dir.resolve("reg").toString();
    for (int v = 1; v <= 3; v++) {
      CommandRun t =
          CommandRun.of(
              "train",
              "--data",
              csv.toString(),
              "--target",
              "y",
              "--register",
              "diabetes",
              "--registry",
              registry);
      assertThat(t.exit()).as(t.err()).isZero();
    }
    assertThat(
            CommandRun.of("models", "alias", "diabetes", "production", "1", "--registry", registry)
                .exit())
        .isZero();
    return registry;
  }

  private static List<Path> evidence(String registry, int version) throws Exception {
    Path dir = Path.of(registry, "diabetes", String.valueOf(version), "evidence");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  @Test
  void promotesABetterChallengerWithEvidenceAndNeverAWorseOne() throws Exception {
    String registry = registry();
    Path rule =
        file(
            "rule.yaml",
            """
        model: diabetes
        alias: production
        metric: mae_difference
        lower_bound_above: 0
        min_pairs: 500
        sequential: true
        """);
    Path worse =
        ModelLogs.write(dir.resolve("worse.csv"), "diabetes:1", 45, "diabetes:3", 60, 2000, 0, 6);
    CommandRun no =
        CommandRun.of(
            "evaluate",
            "--log",
            worse.toString(),
            "--promote",
            rule.toString(),
            "--registry",
            registry,
            "--resamples",
            "300");
    assertThat(no.exit()).as(no.err()).isZero();
    assertThat(no.out())
        .contains("promotion of diabetes:3 over diabetes:1")
        .contains("does not hold");
    assertThat(new ModelRegistry(Path.of(registry)).alias("diabetes", "production").getAsInt())
        .isEqualTo(1);
    assertThat(evidence(registry, 3)).isEmpty();

    Path better =
        ModelLogs.write(dir.resolve("better.csv"), "diabetes:1", 60, "diabetes:2", 40, 2000, 0, 7);
    CommandRun dry =
        CommandRun.of(
            "evaluate",
            "--log",
            better.toString(),
            "--promote",
            rule.toString(),
            "--registry",
            registry,
            "--resamples",
            "300",
            "--dry-run");
    assertThat(dry.out()).contains("holds");
    assertThat(new ModelRegistry(Path.of(registry)).alias("diabetes", "production").getAsInt())
        .isEqualTo(1);

    CommandRun yes =
        CommandRun.of(
            "evaluate",
            "--log",
            better.toString(),
            "--promote",
            rule.toString(),
            "--registry",
            registry,
            "--resamples",
            "300");
    assertThat(yes.exit()).as(yes.err()).isZero();
    assertThat(yes.out())
        .contains("holds: lower end")
        .contains("alias diabetes@production: 1 -> 2");
    assertThat(new ModelRegistry(Path.of(registry)).alias("diabetes", "production").getAsInt())
        .isEqualTo(2);
    List<Path> stored = evidence(registry, 2);
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).resolve("report.html")).exists();
    JsonNode kept = new ObjectMapper().readTree(stored.get(0).resolve("evidence.json").toFile());
    assertThat(kept.path("promotion").path("holds").asBoolean()).isTrue();
    assertThat(kept.path("promotion").path("rule").path("min_pairs").asInt()).isEqualTo(500);
    assertThat(kept.path("paired").path("n").asInt()).isEqualTo(2000);
  }

  @Test
  void guardrailRollsBackANewChampionThatTurnedWorse() throws Exception {
    String registry = registry();
    Path rule =
        file(
            "rule.yaml",
            "{\"model\": \"diabetes\", \"alias\": \"production\", \"min_pairs\": 500}");
    Path better =
        ModelLogs.write(dir.resolve("better.csv"), "diabetes:1", 60, "diabetes:2", 40, 1500, 0, 8);
    assertThat(
            CommandRun.of(
                    "evaluate",
                    "--log",
                    better.toString(),
                    "--promote",
                    rule.toString(),
                    "--registry",
                    registry,
                    "--resamples",
                    "300")
                .out())
        .contains("1 -> 2");
    // Later traffic: version 2 (now the champion) is worse than version 1, still in shadow.
    Path later =
        ModelLogs.write(dir.resolve("later.csv"), "diabetes:2", 65, "diabetes:1", 45, 1500, 0, 9);
    CommandRun guard =
        CommandRun.of(
            "evaluate",
            "--log",
            later.toString(),
            "--guardrail",
            rule.toString(),
            "--registry",
            registry,
            "--resamples",
            "300");
    assertThat(guard.exit()).as(guard.err()).isZero();
    assertThat(guard.out())
        .contains("guardrail: roll diabetes@production back from diabetes:2 to diabetes:1")
        .contains("alias diabetes@production: 2 -> 1");
    assertThat(new ModelRegistry(Path.of(registry)).alias("diabetes", "production").getAsInt())
        .isEqualTo(1);
    assertThat(evidence(registry, 2))
        .hasSize(2); // the promotion, then the roll-back, beside version 2
  }

  @Test
  void saysWhatIsWrong() throws Exception {
    Path log = ModelLogs.write(dir.resolve("model_log.csv"), "m:1", 50, "m:2", 50, 10, 0, 1);
    assertThat(CommandRun.of("evaluate", "--log", dir.resolve("nope.csv").toString()).err())
        .contains("no model log at");
    assertThat(
            CommandRun.of(
                    "evaluate", "--log", log.toString(), "--champion", "m:9", "--challenger", "m:1")
                .err())
        .contains("the champion m:9 has no rows in the window; models there: m:1, m:2");
    assertThat(CommandRun.of("evaluate", "--log", log.toString(), "--since", "yesterday").err())
        .contains("--since 'yesterday' is not an ISO-8601 instant");
    assertThat(
            CommandRun.of(
                    "evaluate",
                    "--log",
                    log.toString(),
                    "--cost",
                    file("c.yaml", "under: 1\n").toString())
                .err())
        .contains("unknown key 'under'");
  }
}
