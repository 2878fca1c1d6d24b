package io.mlqueue.model.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.FileDigest;
import io.mlqueue.model.LinearModel;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.Training;
import io.mlqueue.model.format.ModelFormat;
import io.mlqueue.model.onnx.OnnxModel;
import java.io.IOException;
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
import java.util.Optional;
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
 * A model registry in a directory: {@code <root>/<name>/<version>/} holds the model in the file its
 * {@link ModelFormat} names ({@code model.json}, {@code model.onnx} or {@code model.tribuo}),
 * {@code run.json} (its training run or its import, which says the format), and any extra files
 * other features keep there ({@link VersionExtras}); versions are numbered 1, 2, 3… per name and
 * never changed once written, and {@code <root>/<name>/aliases.json} maps aliases to versions.
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
  private final StagingRemover stagingRemover;

  public ModelRegistry(Path root) {
    this(root, ModelRegistry::deleteRecursively);
  }

  /** A registry that removes staging directories with {@code remover}; for tests of failures. */
  ModelRegistry(Path root, StagingRemover remover) {
    this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    this.stagingRemover = Objects.requireNonNull(remover, "remover");
  }

  /** Removes a staging directory and everything in it. */
  @FunctionalInterface
  interface StagingRemover {
    void remove(Path staging) throws IOException;
  }

  public Path root() {
    return root;
  }

  /**
   * A version just registered.
   *
   * @param model the stored model, served as {@code name:version}
   * @param previousAlias the version the alias pointed at before, if an alias was set and it did
   */
  public record Registered(ServableModel model, RunRecord run, OptionalInt previousAlias) {
    public int version() {
      return run.version();
    }
  }

  /**
   * Writes more files into a version's directory before it appears, for what other features keep
   * beside a version (a reference profile of the training data, say). The names {@code model.*} and
   * {@code run.json} are the registry's own: they are written after the extras and replace anything
   * of those names.
   */
  @FunctionalInterface
  public interface VersionExtras {
    /** No extra files. */
    VersionExtras NONE = staging -> {};

    /**
     * Writes the extra files into {@code versionDir}, the version's directory before it appears.
     */
    void write(Path versionDir) throws IOException;
  }

  /**
   * Stores {@code fit} as the next version of {@code name}: the model in its format's file, its run
   * beside it; and points {@code alias} at it when not null.
   *
   * @throws IllegalArgumentException if {@code name} or {@code alias} is not a valid name
   */
  public Registered register(String name, Training.Fit fit, String alias) throws IOException {
    return register(name, fit, alias, VersionExtras.NONE);
  }

  /**
   * {@link #register(String, Training.Fit, String)} with {@code extras} written into the version's
   * directory too, before it appears.
   */
  public Registered register(String name, Training.Fit fit, String alias, VersionExtras extras)
      throws IOException {
    checkName(name);
    if (alias != null) {
      checkAlias(alias);
    }
    return publish(
        name,
        alias,
        (version, staging) -> {
          extras.write(staging);
          RunRecord run = RunRecord.trained(name, version, fit);
          ModelFormat format = run.format();
          ServableModel trained = fit.model();
          String v = String.valueOf(version);
          // Our JSON artifact carries its name and version; the other formats are served under
          // them.
          ServableModel stored =
              trained instanceof LinearModel linear
                  ? new LinearModel(
                      name,
                      v,
                      linear.featureNames(),
                      linear.targetName(),
                      linear.intercept(),
                      linear.coefficients(),
                      linear.provenance().orElse(null))
                  : trained;
          Path file = staging.resolve(format.fileName());
          format.write(stored, file);
          AtomicFiles.write(staging.resolve(RUN_FILE), run.toJson());
          // What was written is what loads: read back as the worker will, under its registry name.
          ServableModel model = format.load(file, name, v, run.features(), run.target());
          return previous -> new Registered(model, run, previous);
        });
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
   * @throws io.mlqueue.model.ModelFormatException naming the file when it is not an ONNX model the
   *     worker serves (see {@link OnnxModel#load(Path)})
   * @throws IllegalArgumentException if {@code name} or {@code alias} is not a valid name
   * @throws RegistryException if the file changed while it was being added
   */
  public Added addOnnx(String name, Path file, String alias, Clock clock) throws IOException {
    return addOnnx(name, file, alias, clock, VersionExtras.NONE);
  }

  /**
   * {@link #addOnnx(String, Path, String, Clock)} with {@code extras} written beside the version.
   */
  public Added addOnnx(String name, Path file, String alias, Clock clock, VersionExtras extras)
      throws IOException {
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
              clock.instant(),
              file.getFileName().toString(),
              sha256,
              Files.size(file),
              model.name(),
              model.version(),
              model.targetName(),
              model.featureNames(),
              null);
    }
    return addImported(name, file, ModelFormat.ONNX, alias, declared, extras);
  }

  /**
   * Stores a copy of {@code file}, a model made elsewhere in {@code format}, as the next version of
   * {@code name}, described by {@code imported} (whose features and target it is served with), and
   * points {@code alias} at it when not null. The stored copy is loaded as the worker will before
   * the version appears: a file that does not agree with {@code imported} is not registered.
   *
   * @throws RegistryException if the file's SHA-256 is not {@code imported}'s (it changed since it
   *     was checked)
   * @throws io.mlqueue.model.ModelFormatException when the copy does not load as {@code format}
   *     with {@code imported}'s features and target
   */
  public Added addImported(
      String name, Path file, ModelFormat format, String alias, RunRecord.Import imported)
      throws IOException {
    return addImported(name, file, format, alias, imported, VersionExtras.NONE);
  }

  /** {@link #addImported(String, Path, ModelFormat, String, RunRecord.Import)} with extras. */
  public Added addImported(
      String name,
      Path file,
      ModelFormat format,
      String alias,
      RunRecord.Import imported,
      VersionExtras extras)
      throws IOException {
    checkName(name);
    if (alias != null) {
      checkAlias(alias);
    }
    return publish(
        name,
        alias,
        (version, staging) -> {
          extras.write(staging);
          RunRecord run = RunRecord.imported(name, version, format, imported);
          Path copy = staging.resolve(format.fileName());
          Files.copy(file, copy);
          try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.force(true); // on disk before the version appears, as AtomicFiles does
          }
          // What was checked is what is stored: a file rewritten in between is not registered.
          if (!FileDigest.sha256(copy).equals(imported.sha256())) {
            throw new RegistryException(
                "model file " + file + " changed while it was being added; nothing registered");
          }
          AtomicFiles.write(staging.resolve(RUN_FILE), run.toJson());
          try (ServableModel check =
              format.load(copy, name, String.valueOf(version), run.features(), run.target())) {
            // Loaded, so servable as recorded; closed at once.
          }
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
    return locked(
        name,
        () -> {
          int version = versions(name).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
          // Under the lock no other registration is under way: a staging directory found now is
          // what a
          // registration killed half-way left behind.
          removeStaleStaging(name);
          Path staging = nameDir(name).resolve(STAGING_PREFIX + UUID.randomUUID());
          Files.createDirectories(staging);
          Function<OptionalInt, T> result;
          try {
            result = writer.write(version, staging);
            AtomicFiles.move(staging, versionDir(name, version), false);
          } catch (IOException | RuntimeException | Error e) {
            // Not a finally: a failed clean-up must not replace the reason the version failed.
            try {
              stagingRemover.remove(staging);
            } catch (IOException | RuntimeException cleanUp) {
              e.addSuppressed(cleanUp);
            }
            throw e;
          }
          return result.apply(
              alias == null ? OptionalInt.empty() : writeAlias(name, alias, version));
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

  /** How version {@code version} of {@code name} is stored, from its run record. */
  public ModelFormat format(String name, int version) throws IOException {
    return run(name, version).format();
  }

  /**
   * Loads version {@code version} of {@code name}, served as {@code name:version}, in the format
   * and with the features its run record gives. An {@link OnnxModel} holds a native session: the
   * caller closes what it loads (a {@link io.mlqueue.model.service.LiveModel} does for the models
   * it is given).
   */
  public ServableModel load(String name, int version) throws IOException {
    Path dir = existingVersion(name, version);
    RunRecord run = run(name, version);
    return run.format()
        .load(
            dir.resolve(run.format().fileName()),
            name,
            String.valueOf(version),
            run.features(),
            run.target());
  }

  /**
   * The model file of version {@code version} of {@code name}, in its run record's format: for
   * export, not to be changed.
   */
  public Path modelFile(String name, int version) throws IOException {
    return existingVersion(name, version).resolve(format(name, version).fileName());
  }

  /**
   * An extra file kept beside version {@code version} of {@code name} (see {@link VersionExtras}),
   * if it has one.
   *
   * @throws IllegalArgumentException if {@code fileName} is not a plain file name, or is one of the
   *     registry's own
   */
  public Optional<Path> extraFile(String name, int version, String fileName) throws IOException {
    if (fileName.isBlank()
        || fileName.contains("/")
        || fileName.contains("\\")
        || fileName.startsWith(".")
        || fileName.equals(RUN_FILE)
        || fileName.startsWith("model.")) {
      throw new IllegalArgumentException(
          "'" + fileName + "' is not an extra file name (model.* and run.json are the registry's)");
    }
    Path file = existingVersion(name, version).resolve(fileName);
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
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
    return locked(
        name,
        () -> {
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
    return aliases.isEmpty()
        ? " (it has none)"
        : " (it has " + String.join(", ", aliases.keySet()) + ")";
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
    String fix =
        "; repair it (an object of alias -> version number) or delete it to drop every alias";
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
                    .formatted(file, e.getKey(), v)
                + fix);
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
      for (Path stale :
          entries.filter(p -> p.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
        stagingRemover.remove(stale);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> all = Files.walk(dir)) {
      paths = new ArrayList<>(all.toList());
    }
    java.util.Collections.reverse(paths);
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }
}
