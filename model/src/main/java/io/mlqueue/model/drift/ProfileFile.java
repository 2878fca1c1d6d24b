package io.mlqueue.model.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.stats.drift.ColumnProfile;
import io.mlqueue.stats.drift.ReferenceProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code reference-profile.json}, a registry version's extra file: the reference profile of its
 * training data and of its predictions on it (format described in docs/MONITORING.md). Doubles are
 * written in full (Jackson's shortest round-trip form), so a profile read back is the one written.
 */
public final class ProfileFile {
  /** The extra file's name in a version directory. */
  public static final String FILE_NAME = "reference-profile.json";

  /** Bumped when the layout changes; a reader refuses other versions. */
  public static final int FORMAT_VERSION = 1;

  private ProfileFile() {}

  /** The registry hook that writes {@code profile} beside a new version. */
  public static ModelRegistry.VersionExtras extras(ReferenceProfile profile) {
    return dir -> write(profile, dir.resolve(FILE_NAME));
  }

  /** Writes {@code profile} to {@code file}, atomically. */
  public static void write(ReferenceProfile profile, Path file) throws IOException {
    ObjectNode root = StrictJson.MAPPER.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("rows", profile.rows());
    ArrayNode features = root.putArray("features");
    for (ColumnProfile c : profile.features()) {
      features.add(column(c));
    }
    root.set("prediction", column(profile.prediction()));
    profile.absoluteError().ifPresent(e -> root.set("absolute_error", column(e)));
    AtomicFiles.write(file, StrictJson.MAPPER.writeValueAsString(root));
  }

  private static ObjectNode column(ColumnProfile c) {
    ObjectNode n = StrictJson.MAPPER.createObjectNode();
    n.put("name", c.name());
    n.put("count", c.count());
    n.put("missing", c.missing());
    n.put("mean", c.mean());
    n.put("std", c.std());
    n.put("min", c.min());
    n.put("max", c.max());
    ArrayNode h = n.putArray("histogram");
    for (long v : c.histogram()) {
      h.add(v);
    }
    ArrayNode s = n.putArray("sample");
    for (double v : c.sample()) {
      s.add(v);
    }
    return n;
  }

  /** Reads a profile written by {@link #write}. */
  public static ReferenceProfile read(Path file) throws IOException {
    JsonNode root = StrictJson.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    int version = root.path("format_version").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new IOException(
          file
              + ": reference profile format "
              + version
              + ", this version reads "
              + FORMAT_VERSION);
    }
    List<ColumnProfile> features = new ArrayList<>();
    for (JsonNode f : root.withArray("features")) {
      features.add(column(file, f));
    }
    Optional<ColumnProfile> errors =
        root.has("absolute_error")
            ? Optional.of(column(file, root.get("absolute_error")))
            : Optional.empty();
    try {
      return new ReferenceProfile(
          root.path("rows").asLong(), features, column(file, root.get("prediction")), errors);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  private static ColumnProfile column(Path file, JsonNode n) throws IOException {
    if (n == null || !n.path("name").isTextual() || !n.path("sample").isArray()) {
      throw new IOException(file + ": a column of the reference profile lacks its name or sample");
    }
    long[] histogram = new long[n.path("histogram").size()];
    for (int i = 0; i < histogram.length; i++) {
      histogram[i] = n.get("histogram").get(i).asLong();
    }
    double[] sample = new double[n.get("sample").size()];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = n.get("sample").get(i).asDouble();
    }
    return new ColumnProfile(
        n.get("name").asText(),
        n.path("count").asLong(),
        n.path("missing").asLong(),
        number(n, "mean"),
        number(n, "std"),
        number(n, "min"),
        number(n, "max"),
        histogram,
        sample);
  }

  // Jackson writes NaN as the string "NaN" (an empty column); read it back as NaN.
  private static double number(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isNumber() ? v.asDouble() : Double.NaN;
  }
}
