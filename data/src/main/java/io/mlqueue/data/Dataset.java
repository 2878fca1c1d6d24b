package io.mlqueue.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A numeric table: named feature columns and one target column, read from a CSV file with a header
 * row. Immutable; rows are returned as copies.
 *
 * @param name where the data came from, for logs and model provenance
 */
public record Dataset(
    String name, List<String> featureNames, String targetName, double[][] rows, double[] targets) {

  /**
   * Name of the built-in data set: scikit-learn's diabetes data, scaled as {@code load_diabetes()}
   * returns it.
   */
  public static final String BUILT_IN_NAME = "diabetes";

  /** Target column of the built-in data set. */
  public static final String BUILT_IN_TARGET = "target";

  private static final String BUILT_IN_RESOURCE = "diabetes.csv";

  public Dataset {
    Objects.requireNonNull(name, "name");
    featureNames = List.copyOf(featureNames);
    Objects.requireNonNull(targetName, "targetName");
    if (rows.length != targets.length) {
      throw new IllegalArgumentException(rows.length + " rows but " + targets.length + " targets");
    }
    if (rows.length == 0) {
      throw new IllegalArgumentException("data set '" + name + "' has no rows");
    }
  }

  /** The built-in diabetes data: 442 rows, 10 scaled features, target {@code target}. */
  public static Dataset builtIn() {
    try (InputStream in = Dataset.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "built-in data set resource " + BUILT_IN_RESOURCE + " is missing");
      }
      return read(BUILT_IN_NAME, in, BUILT_IN_TARGET);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads a numeric CSV file (RFC 4180) with a header row; {@code target} names the target column,
   * every other column is a feature. Fields may be quoted; line ends may be LF or CRLF; a UTF-8
   * byte order mark is skipped; blank lines are ignored.
   *
   * @throws IllegalArgumentException naming the file, line and column when the file is not a
   *     numeric table or has no column {@code target}
   */
  public static Dataset load(Path file, String target) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(file.toString(), in, target);
    }
  }

  /**
   * Loads a numeric CSV file as {@link #load} does, when it has no target column (rows seen in
   * production, before their labels): every column is a feature, and every target is NaN, named
   * {@code target} if the file happens to have that column anyway, which is then read as usual.
   */
  public static Dataset loadUnlabelled(Path file, String target) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(file.toString(), in, target, true);
    }
  }

  // Rows as arrays of strings: no schema, the header is read as the first row. Bytes rather than
  // characters go in, so that Jackson detects (and skips) a byte order mark.
  private static final ObjectReader CSV_ROWS =
      CsvMapper.builder()
          .enable(CsvParser.Feature.WRAP_AS_ARRAY)
          .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
          // " 1, 2" as typed by hand; spaces inside quotes stay, as RFC 4180 says.
          .enable(CsvParser.Feature.TRIM_SPACES)
          .build()
          .readerFor(String[].class);

  static Dataset read(String name, InputStream in, String target) throws IOException {
    return read(name, in, target, false);
  }

  private static Dataset read(String name, InputStream in, String target, boolean targetOptional)
      throws IOException {
    try (MappingIterator<String[]> records = CSV_ROWS.readValues(in)) {
      CsvRecords csv = new CsvRecords(name, records);
      String[] columns = csv.next();
      if (columns == null) {
        throw new IllegalArgumentException(name + ": empty file, expected a header row");
      }
      int targetIndex =
          targetOptional && !Arrays.asList(columns).contains(target)
              ? -1
              : targetIndex(name, columns, target);
      if (targetIndex < 0 && new HashSet<>(Arrays.asList(columns)).size() != columns.length) {
        throw new IllegalArgumentException(
            name + ": a column appears twice in the header " + Arrays.toString(columns));
      }
      List<String> features = new ArrayList<>(columns.length);
      for (int i = 0; i < columns.length; i++) {
        if (i != targetIndex) {
          features.add(columns[i]);
        }
      }
      List<double[]> rows = new ArrayList<>();
      List<Double> targets = new ArrayList<>();
      String[] cells;
      while ((cells = csv.next()) != null) {
        if (cells.length != columns.length) {
          throw new IllegalArgumentException(
              csv.where() + ": " + cells.length + " cells, the header has " + columns.length);
        }
        double[] row = new double[targetIndex < 0 ? columns.length : columns.length - 1];
        double y = Double.NaN;
        for (int i = 0, f = 0; i < cells.length; i++) {
          double v = parse(csv.where(), columns[i], cells[i]);
          if (i == targetIndex) {
            y = v;
          } else {
            row[f++] = v;
          }
        }
        rows.add(row);
        targets.add(y);
      }
      return new Dataset(
          name,
          features,
          target,
          rows.toArray(double[][]::new),
          targets.stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  private static int targetIndex(String name, String[] columns, String target) {
    int targetIndex = -1;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < columns.length; i++) {
      if (!seen.add(columns[i])) {
        throw new IllegalArgumentException(
            name + ": column '" + columns[i] + "' appears twice in the header");
      }
      if (columns[i].equals(target)) {
        targetIndex = i;
      }
    }
    if (targetIndex < 0) {
      throw new IllegalArgumentException(
          name
              + ": no column '"
              + target
              + "' for the target; columns are "
              + Arrays.toString(columns));
    }
    if (columns.length < 2) {
      throw new IllegalArgumentException(
          name + ": needs at least one feature column beside the target");
    }
    return targetIndex;
  }

  /** The records of a CSV file, each with the line it starts on, for messages. */
  private static final class CsvRecords {
    private final String name;
    private final MappingIterator<String[]> records;
    private long line;

    CsvRecords(String name, MappingIterator<String[]> records) {
      this.name = name;
      this.records = records;
    }

    /** The next record, or null at the end. */
    String[] next() throws IOException {
      // Where the parser stands before a record is where the last one ended: the next starts after
      // it (blank lines aside), and a broken record is reported there rather than at the end of
      // file.
      line = records.getParser().currentLocation().getLineNr();
      try {
        if (!records.hasNextValue()) {
          return null;
        }
        line = records.getParser().currentLocation().getLineNr();
        return records.nextValue();
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            where() + ": not valid CSV: " + e.getOriginalMessage(), e);
      }
    }

    /** {@code file:line} of the record last read. */
    String where() {
      return name + ":" + line;
    }
  }

  private static double parse(String where, String column, String cell) {
    try {
      double v = Double.parseDouble(cell.strip());
      if (!Double.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + ": column '" + column + "' is not a finite number: '" + cell + "'");
    }
  }

  public int size() {
    return rows.length;
  }

  public int featureCount() {
    return featureNames.size();
  }

  /** A copy of row {@code i}'s features. */
  public double[] features(int i) {
    return rows[i].clone();
  }

  public double target(int i) {
    return targets[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dataset d
        && name.equals(d.name)
        && featureNames.equals(d.featureNames)
        && targetName.equals(d.targetName)
        && Arrays.deepEquals(rows, d.rows)
        && Arrays.equals(targets, d.targets);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, featureNames, targetName, Arrays.hashCode(targets));
  }

  @Override
  public String toString() {
    return "Dataset["
        + name
        + ", "
        + size()
        + " rows, features "
        + featureNames
        + ", target "
        + targetName
        + "]";
  }
}
