package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.app.evaluate.ModelLogs;
import io.mlqueue.app.evaluate.PromotionWatch;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.compare.PromotionRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code promote}: the rule checked look after look on a log that grows, with a real registry. */
class PromoteCommandTest {
  @TempDir Path dir;

  @BeforeAll
  static void startLogging() {
    LoggerFactory.getLogger(PromoteCommandTest.class).debug("logging ready");
  }

  private static final Map<String, Object> RULE =
      Map.of(
          "model", "diabetes", "alias", "production", "metric", "mae_difference", "min_pairs", 500);

  private ModelRegistry registry() throws Exception {
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
    ModelRegistry r = new ModelRegistry(Path.of(registry));
    r.setAlias("diabetes", "production", 1);
    r.setAlias("diabetes", "staging", 2);
    return r;
  }

  private PromotionWatch watch(ModelRegistry registry, Path log) {
    // The log's rows are of 2025; the clock stands just after them.
    Clock clock = Clock.fixed(ModelLogs.START.plusSeconds(3_600), ZoneOffset.UTC);
    PromotionRule rule = PromotionRule.fromTree(RULE, "rule");
    return new PromotionWatch(
        log,
        rule,
        Optional.of(rule),
        Optional.empty(),
        Optional.empty(),
        Optional.of("staging"),
        200,
        registry,
        clock);
  }

  @Test
  void waitsForTheLogThenPromotesOnceTheRuleHoldsAndMovesTheShadowAliasToTheOldChampion()
      throws Exception {
    ModelRegistry registry = registry();
    Path log = dir.resolve("model_log.csv");
    PromotionWatch watch = watch(registry, log);
    assertThat(watch.check().summary()).startsWith("waiting: no model log");

    ModelLogs.write(log, "diabetes:1", 60, "diabetes:2", 40, 200, 0, 11); // too few pairs yet
    PromotionWatch.Look early = watch.check();
    assertThat(early.moved()).isFalse();
    assertThat(early.summary()).contains("not yet");

    ModelLogs.write(log, "diabetes:1", 60, "diabetes:2", 40, 2000, 0, 11); // the log grew
    PromotionWatch.Look look = watch.check();
    assertThat(look.moved()).as(look.summary()).isTrue();
    assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(2);
    assertThat(registry.alias("diabetes", "staging").getAsInt()).isEqualTo(1);
    assertThat(look.outcome().get().applied().get().evidence().resolve("evidence.json")).exists();

    // The next look: version 1 is older than the champion, so only the guardrail may move it back,
    // and on these figures it does not.
    PromotionWatch.Look after = watch.check();
    assertThat(after.moved()).isFalse();
    assertThat(after.summary()).contains("guardrail").contains("does not hold");
  }

  @Test
  void aWorseChallengerIsNeverPromotedAndAWorseNewChampionIsRolledBack() throws Exception {
    ModelRegistry registry = registry();
    Path log = dir.resolve("model_log.csv");
    PromotionWatch watch = watch(registry, log);
    ModelLogs.write(log, "diabetes:1", 40, "diabetes:2", 60, 3000, 0, 12);
    for (int i = 0; i < 3; i++) {
      assertThat(watch.check().moved()).isFalse();
    }
    assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(1);

    ModelLogs.write(log, "diabetes:1", 60, "diabetes:2", 40, 2000, 0, 13);
    assertThat(watch.check().moved()).isTrue();
    // Later traffic: version 2, now the champion, is worse than version 1 in shadow.
    ModelLogs.write(log, "diabetes:2", 65, "diabetes:1", 45, 2000, 0, 14);
    PromotionWatch.Look back = watch.check();
    assertThat(back.moved()).as(back.summary()).isTrue();
    assertThat(back.summary())
        .contains("guardrail: roll diabetes@production back from diabetes:2 to diabetes:1");
    assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(1);
  }

  @Test
  void aCanaryWithFeedbackLabelsIsDecidedUnpairedAndPromotedOnceTheRuleHolds() throws Exception {
    ModelRegistry registry = registry();
    Path log = dir.resolve("model_log.csv");
    PromotionWatch watch = watch(registry, log);
    // Ids answered by one model each, no shared ids: 400 labelled rows, 200 per model.
    ModelLogs.write(log, "diabetes:1", 60, "diabetes:2", 40, 0, 400, 21);
    PromotionWatch.Look early = watch.check();
    assertThat(early.moved()).isFalse();
    assertThat(early.summary())
        .contains("not yet: 200 rows of the model with fewer of the 500 required")
        .contains("always-valid two-sample confidence sequence");

    ModelLogs.write(log, "diabetes:1", 60, "diabetes:2", 40, 0, 3000, 21);
    PromotionWatch.Look look = watch.check();
    assertThat(look.moved()).as(look.summary()).isTrue();
    assertThat(look.summary()).contains("1500 baseline and 1500 candidate rows (unpaired)");
    assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(2);
    assertThat(look.outcome().get().applied().get().evidence().resolve("evidence.json")).exists();
  }

  @Test
  void anEquallyGoodCanaryIsNotPromoted() throws Exception {
    ModelRegistry registry = registry();
    Path log = dir.resolve("model_log.csv");
    PromotionWatch watch = watch(registry, log);
    ModelLogs.write(log, "diabetes:1", 50, "diabetes:2", 50, 0, 6000, 22);
    PromotionWatch.Look look = watch.check();
    assertThat(look.moved()).as(look.summary()).isFalse();
    assertThat(look.summary()).contains("does not hold");
    assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(1);
  }

  @Test
  void theCommandChecksOnceWithoutWatch() throws Exception {
    ModelRegistry registry = registry();
    Path log =
        ModelLogs.write(
            dir.resolve("model_log.csv"), "diabetes:1", 60, "diabetes:2", 40, 2000, 0, 15);
    Path rule =
        Files.writeString(
            dir.resolve("rule.yaml"),
            "{\"model\": \"diabetes\", \"alias\": \"production\", \"min_pairs\": 500}");
    CommandRun run =
        CommandRun.of(
            "promote",
            rule.toString(),
            "--log",
            log.toString(),
            "--registry",
            registry.root().toString(),
            "--resamples",
            "200");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("alias diabetes@production: 1 -> 2");
  }
}
