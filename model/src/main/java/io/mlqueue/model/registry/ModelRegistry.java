package io.mlqueue.model.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.FileDigest;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ModelArtifact;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.Training;
import io.mlqueue.model.onnx.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A model registry in a directory: {@code <root>/<name>/<version>/model.json} (our artifact, from
 * {@code train --register}) or {@code model.onnx} (an ONNX file copied in by {@code models add}),
 * and {@code run.json} (its training run, or its import), versions numbered 1, 2, 3… per name and never changed once
 * written, and {@code <root>/<name>/aliases.json} mapping aliases to versions.
 *
 * <p>Everything that changes a name (a new version, an alias) holds {@code <root>/<name>/.lock}
 * exclusively, so processes registering at the same time get distinct numbers; a version appears
 * whole, by renaming its finished directory into place, and {@code aliases.json} is replaced in one
 * rename. Readers take no lock: they see a version or an alias table whole, before or after.
 */
public final class ModelRegistry {
  /** Where a version is written before it appears whole under its number. */
  private static final String STAGING_PREFIX = ".staging-";


  /** Model names: as in artifacts, but not starting with a dot (no hidden or parent directory). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern VERSION_DIR = Pattern.compile("[1-9][0-9]{0,8}");

  static final String MODEL_FILE = "model.json";
  static final String ONNX_FILE = "model.onnx";
  static final String RUN_FILE = "run.json";
  static final String ALIASES_FILE = "aliases.json";
  static final String LOCK_FILE = ".lock";

  private static final ObjectMapper JSON = StrictJson.MAPPER;

  /**
   * File locks belong to the whole JVM: a second lock of the same file from this process throws
   * instead of waiting. Threads of one process therefore queue on this lock first.
   */
  private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final Path root;

  public ModelRegistry(Path root) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * A version just registered.
   *
   * @param model the stored model, its version the registry number
   * @param previousAlias the version the alias pointed at before, if an alias was set and it did
   */
  public record Registered(LinearModel model, RunRecord run, OptionalInt previousAlias) {
    public int version() {
      return run.version();
    }
  }

  /**
   * Stores {@code fit} as the next version of {@code name}: the model renamed to {@code name} and
   * versioned with the number, its run beside it; and points {@code alias} at it when not null.
   *
   * @throws IllegalArgumentException if {@code name} or {@code alias} is not a valid name
   */
  public Registered register(String name, Training.Fit fit, String alias) throws IOException {
    checkName(name);
    if (alias != null) {
      checkAlias(alias);
    }
    return publish(name, alias, (version, staging) -> {
      LinearModel trained = fit.model();
      LinearModel model =
          new LinearModel(
              name,
              String.valueOf(version),
              trained.featureNames(),
              trained.targetName(),
              trained.intercept(),
              trained.coefficients(),
              trained.provenance().orElse(null));
      RunRecord run = new RunRecord(name, version, fit.run());
      ModelArtifact.write(model, staging.resolve(MODEL_FILE));
      AtomicFiles.write(staging.resolve(RUN_FILE), run.toJson());
      return previous -> new Registered(model, run, previous);
    });
  }

  /** What a version holds. */
  public enum Kind {
    /** Our least-squares artifact, {@code model.json}, trained by {@code train --register}. */
    LINEAR,
    /** An ONNX regression, {@code model.onnx}, imported by {@code models add}. */
    ONNX;

    /** As {@code models versions} shows it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A version just imported.
   *
   * @param previousAlias the version the alias pointed at before, if an alias was set and it did
   */
  public record Added(RunRecord run, OptionalInt previousAlias) {
    public int version() {
      return run.version();
    }
  }

  /**
   * Stores a copy of the ONNX model {@code file} as the next version of {@code name}, served as
   * {@code name:version} whatever its metadata says, with an import record as its {@code run.json};
   * and points {@code alias} at it when not null. The file is loaded first, so a graph the worker
   * could not serve is refused and nothing is registered.
   *
   * @throws io.mlqueue.model.ModelFormatException naming the file when it is not an ONNX model
   *     the worker serves (see {@link OnnxModel#load(Path)})
   * @throws IllegalArgumentException if {@code name} or {@code alias} is not a valid name
   * @throws RegistryException if the file changed while it was being added
   */
  public Added addOnnx(String name, Path file, String alias, Clock clock) throws IOException {
    checkName(name);
    if (alias != null) {
      checkAlias(alias);
    }
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "ONNX model not found");
    }
    String sha256 = FileDigest.sha256(file);
    RunRecord.Import declared;
    try (OnnxModel model = OnnxModel.load(file)) {
      declared =
          new RunRecord.Import(
              "onnx",
              clock.instant(),
              file.getFileName().toString(),
              sha256,
              Files.size(file),
              model.name(),
              model.version(),
              model.targetName(),
              model.featureNames());
    }
    return publish(name, alias, (version, staging) -> {
      RunRecord run = RunRecord.imported(name, version, declared);
      Path copy = staging.resolve(ONNX_FILE);
      Files.copy(file, copy);
      try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        channel.force(true); // on disk before the version appears, as AtomicFiles does
      }
      // What was checked is what is stored: a file rewritten in between is not registered.
      if (!FileDigest.sha256(copy).equals(sha256)) {
        throw new RegistryException(
            "ONNX model " + file + " changed while it was being added; nothing registered");
      }
      AtomicFiles.write(staging.resolve(RUN_FILE), run.toJson());
      return previous -> new Added(run, previous);
    });
  }

  /**
   * Publishes the next version of {@code name}, under the name's lock: {@code writer} writes the
   * version's files into a hidden staging directory, which is then renamed into place whole (a
   * reader finds every file of a version or no version), and {@code alias}, when not null, is
   * pointed at it. Returns what {@code writer} makes of the alias's previous version.
   */
  private <T> T publish(String name, String alias, VersionWriter<T> writer) throws IOException {
    return locked(name, () -> {
      int version = versions(name).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
      // Under the lock no other registration is under way: a staging directory found now is what a
      // registration killed half-way left behind.
      removeStaleStaging(name);
      Path staging = nameDir(name).resolve(STAGING_PREFIX + UUID.randomUUID());
      Files.createDirectories(staging);
      Function<OptionalInt, T> result;
      try {
        result = writer.write(version, staging);
        AtomicFiles.move(staging, versionDir(name, version), false);
      } finally {
        deleteRecursively(staging);
      }
      return result.apply(alias == null ? OptionalInt.empty() : writeAlias(name, alias, version));
    });
  }

  @FunctionalInterface
  private interface VersionWriter<T> {
    /** Writes version {@code version}'s files into {@code staging}; returns the result's maker. */
    Function<OptionalInt, T> write(int version, Path staging) throws IOException;
  }


  /** The model names in the registry, sorted. */
  public List<String> names() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> NAME.matcher(n).matches())
          .sorted()
          .toList();
    }
  }

  /** The versions of {@code name}, ascending; empty when it has none. */
  public List<Integer> versions(String name) throws IOException {
    checkName(name);
    Path dir = nameDir(name);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(dir)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> VERSION_DIR.matcher(n).matches())
          .map(Integer::valueOf)
          .sorted()
          .toList();
    }
  }

  /** The highest version of {@code name}, if any. */
  public OptionalInt latest(String name) throws IOException {
    List<Integer> all = versions(name);
    return all.isEmpty() ? OptionalInt.empty() : OptionalInt.of(all.get(all.size() - 1));
  }

  /** What version {@code version} of {@code name} holds. */
  public Kind kind(String name, int version) throws IOException {
    return Files.exists(existingVersion(name, version).resolve(ONNX_FILE)) ? Kind.ONNX : Kind.LINEAR;
  }

  /**
   * Loads version {@code version} of {@code name}, served as {@code name:version}: our linear
   * artifact or an {@link OnnxModel}, which holds a native session: the caller closes it (a {@link
   * io.mlqueue.model.service.LiveModel} does for the models it is given).
   */
  public ServableModel load(String name, int version) throws IOException {
    Path dir = existingVersion(name, version);
    Path onnx = dir.resolve(ONNX_FILE);
    if (Files.exists(onnx)) {
      return OnnxModel.load(onnx, name, String.valueOf(version));
    }
    return loadLinear(dir.resolve(MODEL_FILE), name, version);
  }

  private static LinearModel loadLinear(Path file, String name, int version) throws IOException {
    LinearModel model = ModelArtifact.read(file);
    if (!model.name().equals(name) || !model.version().equals(String.valueOf(version))) {
      throw new RegistryException(
          "registry file %s holds model %s, not %s:%d; registry versions are written only by"
                  .formatted(file, model.id(), name, version)
              + " 'mlqueue train --register'");
    }
    return model;
  }

  /** The training run of version {@code version} of {@code name}. */
  public RunRecord run(String name, int version) throws IOException {
    Path file = existingVersion(name, version).resolve(RUN_FILE);
    return RunRecord.fromJson(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
  }

  /** The aliases of {@code name} and their versions, sorted by alias. */
  public SortedMap<String, Integer> aliases(String name) throws IOException {
    checkName(name);
    Path file = nameDir(name).resolve(ALIASES_FILE);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    }
    return parseAliases(file, text);
  }

  /** The version {@code alias} of {@code name} points at, if it is set. */
  public OptionalInt alias(String name, String alias) throws IOException {
    checkAlias(alias);
    Integer v = aliases(name).get(alias);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /**
   * Points {@code alias} of {@code name} at {@code version}, which must exist.
   *
   * @return the version it pointed at before, if any
   */
  public OptionalInt setAlias(String name, String alias, int version) throws IOException {
    checkAlias(alias);
    // Before taking the lock, which creates the name's directory: versions are never removed, so
    // one that exists now still does under the lock.
    existingVersion(name, version);
    return locked(name, () -> writeAlias(name, alias, version));
  }

  /**
   * Removes {@code alias} of {@code name}.
   *
   * @return the version it pointed at
   * @throws IllegalArgumentException when the alias is not set
   */
  public int removeAlias(String name, String alias) throws IOException {
    checkAlias(alias);
    if (versions(name).isEmpty()) {
      throw new IllegalArgumentException(
          "model '%s' is not in the registry %s".formatted(name, root));
    }
    return locked(name, () -> {
      SortedMap<String, Integer> aliases = aliases(name);
      Integer old = aliases.remove(alias);
      if (old == null) {
        throw new IllegalArgumentException(
            "model '%s' has no alias '%s'%s".formatted(name, alias, describe(aliases)));
      }
      AtomicFiles.write(nameDir(name).resolve(ALIASES_FILE), aliasesJson(aliases));
      return old;
    });
  }

  private OptionalInt writeAlias(String name, String alias, int version) throws IOException {
    SortedMap<String, Integer> aliases = aliases(name);
    Integer old = aliases.put(alias, version);
    AtomicFiles.write(nameDir(name).resolve(ALIASES_FILE), aliasesJson(aliases));
    return old == null ? OptionalInt.empty() : OptionalInt.of(old);
  }

  private static String describe(Map<String, Integer> aliases) {
    return aliases.isEmpty() ? " (it has none)" : " (it has " + String.join(", ", aliases.keySet()) + ")";
  }

  private static String aliasesJson(SortedMap<String, Integer> aliases) {
    ObjectNode node = JSON.createObjectNode();
    aliases.forEach(node::put);
    try {
      return JSON.writeValueAsString(node) + "\n";
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot serialise aliases " + aliases, e);
    }
  }

  private static SortedMap<String, Integer> parseAliases(Path file, String text) {
    String fix = "; repair it (an object of alias -> version number) or delete it to drop every alias";
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new RegistryException(
          "alias file " + file + " is not valid JSON (" + e.getOriginalMessage() + ")" + fix, e);
    }
    if (node == null || !node.isObject()) {
      throw new RegistryException("alias file " + file + " is not a JSON object" + fix);
    }
    SortedMap<String, Integer> aliases = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!ALIAS.matcher(e.getKey()).matches()
          || !v.canConvertToInt()
          || !v.isIntegralNumber()
          || v.intValue() < 1) {
        throw new RegistryException(
            "alias file %s: entry \"%s\": %s is not an alias with a version number"
                .formatted(file, e.getKey(), v) + fix);
      }
      aliases.put(e.getKey(), v.intValue());
    }
    return aliases;
  }

  private Path existingVersion(String name, int version) throws IOException {
    checkName(name);
    Path dir = versionDir(name, version);
    if (version < 1 || !Files.isDirectory(dir)) {
      List<Integer> all = versions(name);
      throw new IllegalArgumentException(
          all.isEmpty()
              ? "model '%s' is not in the registry %s".formatted(name, root)
              : "model '%s' has no version %d (it has %s)".formatted(name, version, all));
    }
    return dir;
  }

  private Path nameDir(String name) {
    return root.resolve(name);
  }

  private Path versionDir(String name, int version) {
    return nameDir(name).resolve(String.valueOf(version));
  }

  /** Runs {@code action} holding the name's lock, against other threads and other processes. */
  private <T> T locked(String name, LockedAction<T> action) throws IOException {
    Path dir = nameDir(name);
    Files.createDirectories(dir);
    Path lockFile = dir.resolve(LOCK_FILE);
    ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    local.lock();
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      return action.run();
    } finally {
      local.unlock();
    }
  }

  private interface LockedAction<T> {
    T run() throws IOException;
  }

  /**
   * Checks a model name for the registry.
   *
   * @throws IllegalArgumentException saying which characters are allowed
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "model name '%s' may use only letters, digits, '.', '_' and '-', and must start with a"
                  .formatted(name)
              + " letter or digit");
    }
    return name;
  }

  /**
   * Checks an alias name: letters, digits, {@code -} and {@code _}, not a bare number (it would
   * read as a version).
   *
   * @throws IllegalArgumentException saying which characters are allowed
   */
  public static String checkAlias(String alias) {
    if (alias == null || !ALIAS.matcher(alias).matches()) {
      throw new IllegalArgumentException(
          "alias '%s' may use only letters, digits, '-' and '_' (e.g. production, staging)"
              .formatted(alias));
    }
    if (alias.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "alias '%s' is a number, which would read as a version; use a word such as production"
              .formatted(alias));
    }
    return alias;
  }

  private void removeStaleStaging(String name) throws IOException {
    Path dir = nameDir(name);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path stale : entries.filter(p -> p.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
        deleteRecursively(stale);
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(all.toList());
      java.util.Collections.reverse(paths);
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the staging directory " + dir, e);
    }
  }
}
