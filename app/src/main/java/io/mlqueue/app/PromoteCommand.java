package io.mlqueue.app;

import io.mlqueue.app.evaluate.PromotionWatch;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.cost.CostModel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlqueue promote}: the promotion rule checked continuously on the live per-model log. */
@Command(
    name = "promote",
    description =
        "Check a promotion rule (as 'evaluate --promote' reads it) on the per-model log that"
            + " 'metric --model-log' writes, again and again: when it holds, store the evidence"
            + " beside the challenger's version and move the alias (workers following it swap);"
            + " with --guardrail, move it back when the replaced version turns out better.")
final class PromoteCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(PromoteCommand.class);

  @Parameters(index = "0", paramLabel = "RULE", description = "The promotion rule (YAML or JSON).")
  Path rule;

  @Option(
      names = "--guardrail",
      paramLabel = "RULE",
      description = "A roll-back rule for the same alias, checked before each promotion.")
  Path guardrail;

  @Option(
      names = "--log",
      paramLabel = "FILE",
      defaultValue = "logs/" + ModelLog.FILE_NAME,
      description = "The per-model log (default: ${DEFAULT-VALUE}).")
  Path modelLog;

  @Option(
      names = "--cost",
      paramLabel = "FILE",
      description = "The cost file, for rules on saving.")
  Path cost;

  @Option(
      names = "--watch",
      description = "Keep checking every --every until stopped (otherwise: once).")
  boolean watch;

  @Option(
      names = "--every",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "With --watch: the pause between looks (default: ${DEFAULT-VALUE}). Looking"
              + " often is safe: the rules' confidence sequence is valid at every look.")
  Duration every;

  @Option(
      names = "--last",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Only rows of the last DURATION count (default: the whole log).")
  Duration last;

  @Option(
      names = "--shadow-alias",
      paramLabel = "ALIAS",
      description =
          "The alias 'model --shadow registry:NAME@ALIAS' follows: after a promotion it"
              + " points at the replaced version, which stays in shadow for the guardrail.")
  String shadowAlias;

  @Option(
      names = "--resamples",
      paramLabel = "B",
      defaultValue = "500",
      description = "Bootstrap resamples of the evidence's report (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Mixin RegistryOption registry;

  @Override
  public Integer call() throws Exception {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("--every must be positive, was " + every);
    }
    PromotionWatch watcher =
        new PromotionWatch(
            modelLog,
            PromotionRule.fromTree(EvaluateCommand.readTree(rule), rule.toString()),
            guardrail == null
                ? Optional.empty()
                : Optional.of(
                    PromotionRule.fromTree(
                        EvaluateCommand.readTree(guardrail), guardrail.toString())),
            cost == null
                ? Optional.empty()
                : Optional.of(CostModel.fromTree(EvaluateCommand.readTree(cost), cost.toString())),
            Optional.ofNullable(last),
            Optional.ofNullable(shadowAlias),
            resamples,
            registry.open(),
            Clock.systemUTC());
    if (!watch) {
      System.out.println(watcher.check().summary());
      return 0;
    }
    Shutdown.Guard guard = Shutdown.install("promote");
    ScheduledExecutorService looks =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("promote").unstarted(r));
    guard.closeOnStop(looks::shutdownNow);
    looks.scheduleWithFixedDelay(() -> look(watcher), 0, every.toMillis(), TimeUnit.MILLISECONDS);
    log.info("promote: checking {} on {} every {}", rule, modelLog, every);
    guard.awaitStop();
    return 0;
  }

  private static void look(PromotionWatch watcher) {
    try {
      PromotionWatch.Look look = watcher.check();
      if (look.moved()) {
        log.warn("promote: {}", look.summary());
      } else {
        log.info("promote: {}", look.summary());
      }
    } catch (Exception e) {
      // A log being rotated, a registry on a network disk: the next look tries again.
      log.error("promote: this look failed ({}); trying again at the next", e.toString());
    }
  }
}
