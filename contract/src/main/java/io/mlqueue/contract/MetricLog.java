package io.mlqueue.contract;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * The format of {@code metric_log.csv}, written by {@code metric} and read by {@code plot}: the
 * header {@code id,y_true,y_pred,absolute_error}, one row per pair, {@code absolute_error = |y_true
 * − y_pred|}.
 *
 * <p>Rows are written as the course's Python {@code metric} writes them ({@code csv.writer},
 * minimal quoting), byte for byte; they are read as RFC 4180 says, so a log written with any of
 * Python's quoting styles (every field quoted, say) reads too. One line at a time: both readers
 * split the file on line breaks, and an id with a line break never becomes a row.
 */
public final class MetricLog {
  public static final String FILE_NAME = "metric_log.csv";
  public static final String HEADER = "id,y_true,y_pred,absolute_error";
  private static final List<String> COLUMNS = List.of("id", "y_true", "y_pred", "absolute_error");

  private static final CsvMapper CSV =
      CsvMapper.builder()
          // Quote a field only when RFC 4180 needs it (a comma, a quote, a line break), as
          // Python's QUOTE_MINIMAL does; Jackson's default also quotes spaces and more.
          .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
          .enable(CsvParser.Feature.WRAP_AS_ARRAY)
          .build();
  private static final ObjectReader FIELDS = CSV.readerFor(String[].class);
  // Doubles go through Double.toString: every significant digit, as Python's repr gives them.
  private static final ObjectWriter LINE =
      CSV.writerFor(Object[].class).with(CsvSchema.emptySchema().withLineSeparator(""));

  private MetricLog() {}

  /** One row of the log. */
  public record Row(String id, double yTrue, double yPred, double absoluteError) {
    public static Row of(String id, double yTrue, double yPred) {
      return new Row(id, yTrue, yPred, Math.abs(yTrue - yPred));
    }
  }

  /** The CSV line of {@code row}, without the line break. Doubles keep every significant digit. */
  public static String format(Row row) {
    if (plain(row.id())) {
      // What the CSV writer below writes for such an id, without its per-call generator and boxing:
      // a fifth of metric's CPU in a bulk run (MetricLogTest checks the two agree).
      return row.id() + ',' + row.yTrue() + ',' + row.yPred() + ',' + row.absoluteError();
    }
    return formatCsv(row);
  }

  /** The CSV writer's line for {@code row}; {@link #format} for any id. */
  static String formatCsv(Row row) {
    try {
      return LINE.writeValueAsString(
          new Object[] {row.id(), row.yTrue(), row.yPred(), row.absoluteError()});
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to a string: not an I/O failure
    }
  }

  /**
   * Whether {@code id} is written as it is, unquoted, by any CSV writer: letters, digits and {@code
   * . _ : / -} only (UUIDs, the course's timestamps, most producers' own ids).
   */
  private static boolean plain(String id) {
    if (id.isEmpty()) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || (c >= 'A' && c <= 'Z')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '/';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code line} is the header, its names quoted or not. */
  public static boolean isHeader(String line) {
    if (line.equals(HEADER)) {
      return true;
    }
    if (line.indexOf('"') < 0) {
      return false; // every row is checked: without quotes, only the exact header is one
    }
    try {
      return Arrays.asList(fields(line)).equals(COLUMNS);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses one data line, its fields quoted or not. Throws {@link IllegalArgumentException} on a
   * line that is not a row of this format, or whose absolute error does not match its values (for
   * example one cut short by a crash mid-write).
   */
  public static Row parse(String line) {
    String[] fields = fields(line);
    if (fields.length != COLUMNS.size()) {
      throw new IllegalArgumentException("expected 4 columns: " + line);
    }
    if (fields[0].isEmpty()) {
      throw new IllegalArgumentException("no id: " + line);
    }
    Row row;
    try {
      row =
          new Row(
              fields[0],
              Double.parseDouble(fields[1]),
              Double.parseDouble(fields[2]),
              Double.parseDouble(fields[3]));
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

  private static String[] fields(String line) {
    try (MappingIterator<String[]> records = FIELDS.readValues(line)) {
      if (!records.hasNextValue()) {
        throw new IllegalArgumentException("not a metric log row: '" + line + "'");
      }
      return records.nextValue();
    } catch (IOException e) {
      throw new IllegalArgumentException("not a CSV line: " + line, e);
    }
  }
}
