package io.mlqueue.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A numeric table: named feature columns and one target column, read from a CSV file with a header
 * row. Immutable; rows are returned as copies.
 *
 * @param name where the data came from, for logs and model provenance
 */
public record Dataset(String name, List<String> featureNames, String targetName, double[][] rows, double[] targets) {

  /** Name of the built-in data set: scikit-learn's diabetes data, scaled as {@code load_diabetes()} returns it. */
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
        throw new IllegalStateException("built-in data set resource " + BUILT_IN_RESOURCE + " is missing");
      }
      return read(BUILT_IN_NAME, new InputStreamReader(in, StandardCharsets.UTF_8), BUILT_IN_TARGET);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads a numeric CSV file with a header row; {@code target} names the target column, every other
   * column is a feature.
   *
   * @throws IllegalArgumentException naming the file, line and column when the file is not a numeric
   *     table or has no column {@code target}
   */
  public static Dataset load(Path file, String target) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(file.toString(), r, target);
    }
  }

  static Dataset read(String name, Reader reader, String target) throws IOException {
    BufferedReader in = new BufferedReader(reader);
    String header = in.readLine();
    if (header == null || header.isBlank()) {
      throw new IllegalArgumentException(name + ": empty file, expected a header row");
    }
    if (header.startsWith("\uFEFF")) {
      header = header.substring(1);
    }
    String[] columns = splitLine(header);
    int targetIndex = -1;
    for (int i = 0; i < columns.length; i++) {
      columns[i] = columns[i].strip();
      if (columns[i].equals(target)) {
        targetIndex = i;
      }
    }
    if (targetIndex < 0) {
      throw new IllegalArgumentException(
          name + ": no column '" + target + "' for the target; columns are " + Arrays.toString(columns));
    }
    if (columns.length < 2) {
      throw new IllegalArgumentException(name + ": needs at least one feature column beside the target");
    }
    List<String> features = new ArrayList<>(columns.length - 1);
    for (int i = 0; i < columns.length; i++) {
      if (i != targetIndex) {
        features.add(columns[i]);
      }
    }
    List<double[]> rows = new ArrayList<>();
    List<Double> targets = new ArrayList<>();
    String line;
    int lineNo = 1;
    while ((line = in.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String[] cells = splitLine(line);
      if (cells.length != columns.length) {
        throw new IllegalArgumentException(
            name + ":" + lineNo + ": " + cells.length + " cells, the header has " + columns.length);
      }
      double[] row = new double[columns.length - 1];
      double y = 0;
      for (int i = 0, f = 0; i < cells.length; i++) {
        double v = parse(name, lineNo, columns[i], cells[i]);
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

  private static String[] splitLine(String line) {
    return line.split(",", -1);
  }

  private static double parse(String name, int lineNo, String column, String cell) {
    try {
      double v = Double.parseDouble(cell.strip());
      if (!Double.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + ":" + lineNo + ": column '" + column + "' is not a finite number: '" + cell + "'");
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
    return "Dataset[" + name + ", " + size() + " rows, features " + featureNames + ", target " + targetName + "]";
  }
}
