package io.mlqueue.contract;


/**
 * The format of {@code metric_log.csv}, written by {@code metric} and read by {@code plot}: the header
 * {@code id,y_true,y_pred,absolute_error}, one row per pair, {@code absolute_error = |y_true − y_pred|}.
 */
public final class MetricLog {
  public static final String FILE_NAME = "metric_log.csv";
  public static final String HEADER = "id,y_true,y_pred,absolute_error";

  private MetricLog() {}

  /** One row of the log. */
  public record Row(String id, double yTrue, double yPred, double absoluteError) {
    public static Row of(String id, double yTrue, double yPred) {
      return new Row(id, yTrue, yPred, Math.abs(yTrue - yPred));
    }
  }

  /** The CSV line of {@code row}, without the line break. Doubles keep every significant digit. */
  public static String format(Row row) {
    return quote(row.id())
        + ','
        + Double.toString(row.yTrue())
        + ','
        + Double.toString(row.yPred())
        + ','
        + Double.toString(row.absoluteError());
  }

  /**
   * Parses one data line; the id is unquoted. Throws {@link IllegalArgumentException} on a line that is
   * not a row of this format, or whose absolute error does not match its values (for example one cut
   * short by a crash mid-write).
   */
  public static Row parse(String line) {
    String id;
    int rest;
    if (line.startsWith("\"")) {
      StringBuilder sb = new StringBuilder();
      int i = 1;
      while (true) {
        if (i >= line.length()) {
          throw new IllegalArgumentException("unterminated quoted id: " + line);
        }
        char c = line.charAt(i);
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            sb.append('"');
            i += 2;
            continue;
          }
          i++;
          break;
        }
        sb.append(c);
        i++;
      }
      if (i >= line.length() || line.charAt(i) != ',') {
        throw new IllegalArgumentException("expected ',' after the id: " + line);
      }
      id = sb.toString();
      rest = i + 1;
    } else {
      int comma = line.indexOf(',');
      if (comma <= 0) {
        throw new IllegalArgumentException("not a metric log row: " + line);
      }
      id = line.substring(0, comma);
      rest = comma + 1;
    }
    String[] numbers = line.substring(rest).split(",", -1);
    if (numbers.length != 3) {
      throw new IllegalArgumentException("expected 4 columns: " + line);
    }
    Row row;
    try {
      row =
          new Row(
              id,
              Double.parseDouble(numbers[0]),
              Double.parseDouble(numbers[1]),
              Double.parseDouble(numbers[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number in row: " + line, e);
    }
    // A row cut short by a crash can still parse ("43.21" torn to "43."); the redundant column
    // tells it apart.
    double expected = Math.abs(row.yTrue() - row.yPred());
    if (Math.abs(row.absoluteError() - expected) > 1e-9 * Math.max(1.0, expected)) {
      throw new IllegalArgumentException("absolute_error is not |y_true - y_pred| in row: " + line);
    }
    return row;
  }

  /** RFC 4180 quoting, only where needed (UUIDs and numeric ids never need it). */
  static String quote(String field) {
    boolean needs = false;
    for (int i = 0; i < field.length() && !needs; i++) {
      char c = field.charAt(i);
      needs = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    if (!needs) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

}
