package io.mlqueue.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.mlqueue.app.evaluate.EvaluationRun;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.Settings;
import io.mlqueue.stats.cost.CostModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue evaluate}: each model's errors and cost over a window of the per-model log, the
 * champion against a challenger with intervals, tests and an always-valid confidence sequence, as
 * text, JSON or a self-contained HTML page; and, with a rule, the alias moved when the evidence is
 * there (docs/EVALUATION.md).
 */
@Command(
    name = "evaluate",
    description =
        "Judge models on the per-model log ("
            + ModelLog.FILE_NAME
            + "): errors and cost with"
            + " bootstrap intervals, champion vs challenger (paired on shared ids, unpaired"
            + " otherwise) with tests and an always-valid confidence sequence; --promote RULE moves"
            + " a registry alias when the rule holds, --guardrail RULE moves it back.")
final class EvaluateCommand implements Callable<Integer> {
  @Option(
      names = "--log",
      paramLabel = "FILE",
      defaultValue = ModelLog.FILE_NAME,
      description = "The per-model log (default: ${DEFAULT-VALUE}).")
  Path log;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = "Only rows logged at or after TIME (ISO-8601, e.g. 2025-01-02T03:00:00Z).")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "Only rows logged before TIME.")
  String until;

  @Option(
      names = "--last",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Only rows of the last DURATION (e.g. 1h, 30m), up to --until or now.")
  Duration last;

  @Option(
      names = "--champion",
      paramLabel = "MODEL",
      description =
          "The model in use, as the log names it (name:version). With two models in the"
              + " window and no rule, the one with more rows.")
  String champion;

  @Option(
      names = "--challenger",
      paramLabel = "MODEL",
      description = "The model to compare with it.")
  String challenger;

  @Option(
      names = "--cost",
      paramLabel = "FILE",
      description =
          "A cost file (YAML or JSON): cost per 1,000 predictions and the saving of switching.")
  Path cost;

  @Option(names = "--json", description = "Print the report as JSON instead of text.")
  boolean json;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write the report as a self-contained HTML page.")
  Path html;

  @ArgGroup(exclusive = true)
  RuleOption rule;

  static final class RuleOption {
    @Option(
        names = "--promote",
        paramLabel = "RULE",
        description =
            "A rule file (YAML or JSON): when it holds, move the rule's alias to the challenger"
                + " and store the evidence beside that version in the registry.")
    Path promote;

    @Option(
        names = "--guardrail",
        paramLabel = "RULE",
        description =
            "A rule file: when the version the alias replaced is now better than the alias's"
                + " version, move the alias back and store the evidence.")
    Path guardrail;
  }

  @Option(names = "--dry-run", description = "With a rule: decide and report, move nothing.")
  boolean dryRun;

  @Option(
      names = "--alpha",
      paramLabel = "A",
      defaultValue = "0.05",
      description =
          "Error rate of every interval and test (default: ${DEFAULT-VALUE}); a rule's alpha wins.")
  double alpha;

  @Option(
      names = "--min-pairs",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "No verdict below N pairs, or N rows per model unpaired (default: ${DEFAULT-VALUE});"
              + " a rule's min_pairs wins.")
  long minPairs;

  @Option(
      names = "--resamples",
      paramLabel = "B",
      defaultValue = "2000",
      description = "Bootstrap resamples (default: ${DEFAULT-VALUE}).")
  int resamples;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description =
          "Bootstrap seed: the same seed, the same intervals (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--sequence-tuned-for",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Pairs at which the confidence sequence is narrowest (default: ${DEFAULT-VALUE});"
              + " with a rule, its min_pairs.")
  long tunedFor;

  @Mixin RegistryOption registry;

  /** The clock for --last and the evidence's time; tests set it. */
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws Exception {
    Instant to = until == null ? null : instant(until, "--until");
    Instant from = since == null ? null : instant(since, "--since");
    if (last != null) {
      if (from != null) {
        throw new IllegalArgumentException("give --since or --last, not both");
      }
      from = (to == null ? clock.instant() : to).minus(last);
    }
    if (!Files.isRegularFile(log)) {
      throw new IllegalArgumentException("no model log at " + log + " (give it with --log FILE)");
    }
    Optional<PromotionRule> promotionRule = Optional.empty();
    EvaluationRun.Mode mode = EvaluationRun.Mode.REPORT;
    if (rule != null) {
      Path file = rule.promote != null ? rule.promote : rule.guardrail;
      promotionRule = Optional.of(PromotionRule.fromTree(readTree(file), file.toString()));
      mode = rule.promote != null ? EvaluationRun.Mode.PROMOTE : EvaluationRun.Mode.GUARDRAIL;
    }
    Settings settings =
        promotionRule
            .map(r -> new Settings(r.alpha(), resamples, seed, r.minimumPairs(), r.minimumPairs()))
            .orElseGet(() -> new Settings(alpha, resamples, seed, tunedFor, minPairs));
    Optional<CostModel> costModel =
        cost == null
            ? Optional.empty()
            : Optional.of(CostModel.fromTree(readTree(cost), cost.toString()));
    EvaluationRun.Result result =
        new EvaluationRun(
                log,
                from,
                to,
                Optional.ofNullable(champion),
                Optional.ofNullable(challenger),
                costModel,
                settings,
                mode,
                promotionRule,
                dryRun,
                registry.open(),
                clock)
            .run();
    System.out.print(json ? result.json() : result.text());
    if (html != null) {
      Files.writeString(html, result.html());
      if (!json) {
        System.out.println("report: " + html);
      }
    }
    return 0;
  }

  private static Instant instant(String text, String option) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " '" + text + "' is not an ISO-8601 instant such as 2025-01-02T03:00:00Z");
    }
  }

  /** A YAML or JSON file (JSON is YAML) as maps, lists and scalars. */
  static Object readTree(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no file " + file);
    }
    try {
      return new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(
          file + " is not valid YAML or JSON: " + e.getOriginalMessage(), e);
    }
  }
}
