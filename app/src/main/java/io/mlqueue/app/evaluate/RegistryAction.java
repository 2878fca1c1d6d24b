package io.mlqueue.app.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Acts on a rule that holds through the model registry: writes the evidence beside the version,
 * then moves the alias. The evidence goes to {@code <registry>/<name>/<version>/evidence/<UTC
 * time>/} — {@code evidence.json} (rule, decision, every figure) and {@code report.html} — beside
 * the version promoted, or, for a guardrail's roll-back, beside the version demoted. It appears
 * whole (written in a hidden directory, then renamed), and before the alias moves, so no move is
 * without its evidence.
 */
public final class RegistryAction implements Promotion.Action {
  static final String EVIDENCE_DIR = "evidence";
  static final String EVIDENCE_JSON = "evidence.json";
  static final String REPORT_HTML = "report.html";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final ModelRegistry registry;
  private final Clock clock;

  public RegistryAction(ModelRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public Optional<PromotionOutcome.Applied> apply(
      PromotionOutcome decided, Promotion.Evidence evidence) throws IOException {
    String name = decided.rule().model();
    String alias = decided.rule().alias();
    int from = version(decided.baseline(), name);
    int to = version(decided.candidate(), name);
    OptionalInt now = registry.alias(name, alias);
    if (now.isEmpty() || now.getAsInt() != from) {
      throw new IllegalStateException(
          "alias "
              + name
              + "@"
              + alias
              + " points at "
              + (now.isEmpty() ? "nothing" : String.valueOf(now.getAsInt()))
              + ", not at "
              + from
              + " as evaluated: it moved meanwhile; evaluate again");
    }
    int beside = decided.mode() == Promotion.Mode.PROMOTE ? to : from;
    Path dir = evidenceRoot(name, beside);
    Files.createDirectories(dir);
    Path staging = dir.resolve(".staging-" + UUID.randomUUID());
    Files.createDirectory(staging);
    AtomicFiles.write(staging.resolve(EVIDENCE_JSON), evidence.json());
    AtomicFiles.write(staging.resolve(REPORT_HTML), evidence.html());
    Path target = dir.resolve(STAMP.format(clock.instant()));
    for (int k = 2; Files.exists(target); k++) {
      target = dir.resolve(STAMP.format(clock.instant()) + "-" + k);
    }
    AtomicFiles.move(staging, target, false);
    registry.setAlias(name, alias, to);
    return Optional.of(new PromotionOutcome.Applied(name, alias, from, to, target));
  }

  /** {@code <registry>/<name>/<version>/evidence}: the registry's layout, one level down. */
  Path evidenceRoot(String name, int version) throws IOException {
    if (!registry.versions(name).contains(version)) {
      throw new IllegalArgumentException(
          "model '" + name + "' has no version " + version + " in the registry " + registry.root());
    }
    return registry.root().resolve(name).resolve(String.valueOf(version)).resolve(EVIDENCE_DIR);
  }

  /**
   * The version {@code alias} pointed at before its latest promotion to {@code version}, from that
   * promotion's evidence: what a guardrail rolls back to. Empty without such evidence.
   */
  public OptionalInt replacedBy(String name, int version) throws IOException {
    Path dir = evidenceRoot(name, version);
    if (!Files.isDirectory(dir)) {
      return OptionalInt.empty();
    }
    List<Path> stamps;
    try (Stream<Path> s = Files.list(dir)) {
      stamps =
          s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList().reversed();
    }
    ObjectMapper json = new ObjectMapper();
    for (Path stamp : stamps) {
      Path file = stamp.resolve(EVIDENCE_JSON);
      if (!Files.isRegularFile(file)) {
        continue;
      }
      JsonNode promotion = json.readTree(file.toFile()).path("promotion");
      if (promotion.path("mode").asText().equals("promote")
          && promotion.path("candidate").asText().equals(name + ":" + version)) {
        return OptionalInt.of(version(promotion.path("baseline").asText(), name));
      }
    }
    return OptionalInt.empty();
  }

  /** The version number of a model id {@code name:version} of the rule's model. */
  static int version(String modelId, String name) {
    String prefix = name + ":";
    if (modelId.startsWith(prefix)
        && modelId.substring(prefix.length()).matches("[1-9][0-9]{0,8}")) {
      return Integer.parseInt(modelId.substring(prefix.length()));
    }
    throw new IllegalArgumentException(
        "model "
            + modelId
            + " is not a registry version of '"
            + name
            + "' (expected "
            + prefix
            + "N)");
  }
}
