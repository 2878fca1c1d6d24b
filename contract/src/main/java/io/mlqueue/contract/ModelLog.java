package io.mlqueue.contract;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The format of {@code model_log.csv}: every model's predictions joined with their true answers,
 * one row per (id, model), so that models answering the same ids (a shadow) or different ids (a
 * canary) can be compared. The header is {@code id,model,y_true,y_pred,absolute_error,logged_at}.
 *
 * <ul>
 *   <li>{@code model} is the {@code name:version} that computed the prediction, as carried on
 *       {@code y_pred} and in request/reply answers (for example {@code diabetes:3});
 *   <li>{@code absolute_error = |y_true − y_pred|}, redundant on purpose: a line torn inside a
 *       number is told apart from a whole one;
 *   <li>{@code logged_at} is when the row was written, ISO-8601 in UTC with millisecond precision,
 *       as {@link Instant#toString()} writes it ({@code 2025-01-02T03:04:05.120Z}); readers accept
 *       any ISO-8601 instant with {@code Z} or an offset. Chosen over epoch milliseconds because
 *       people read and filter the file with other tools, and {@code pandas.to_datetime} parses it
 *       as is.
 * </ul>
 *
 * <p>Rows are written with minimal RFC 4180 quoting (only an id or model with a comma or a quote is
 * quoted), read with any quoting. A row is only written whole and then a line break; a last line
 * without its line break is a write in progress or torn by a crash, and {@link #read} leaves it
 * out. The course's {@code metric_log.csv} ({@link MetricLog}) is unchanged: this is a second file.
 */
public final class ModelLog {
  public static final String FILE_NAME = "model_log.csv";
  public static final String HEADER = "id,model,y_true,y_pred,absolute_error,logged_at";
  private static final List<String> COLUMNS =
      List.of("id", "model", "y_true", "y_pred", "absolute_error", "logged_at");

  private static final CsvMapper CSV =
      CsvMapper.builder()
          .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
          .enable(CsvParser.Feature.WRAP_AS_ARRAY)
          .build();
  private static final ObjectReader FIELDS = CSV.readerFor(String[].class);
  private static final ObjectWriter LINE =
      CSV.writerFor(Object[].class).with(CsvSchema.emptySchema().withLineSeparator(""));

  private ModelLog() {}

  /**
   * One row of the log.
   *
   * @param id the message or request id, as in {@code metric_log.csv}
   * @param model {@code name:version} of the model that predicted
   * @param loggedAt when the row was written (the pair was complete), millisecond precision
   */
  public record Row(
      String id, String model, double yTrue, double yPred, double absoluteError, Instant loggedAt) {
    public Row {
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException("a model log row needs an id");
      }
      if (model == null || model.isEmpty()) {
        throw new IllegalArgumentException("a model log row needs a model (name:version)");
      }
      if (!Double.isFinite(yTrue) || !Double.isFinite(yPred)) {
        throw new IllegalArgumentException(
            "y_true and y_pred must be finite, got " + yTrue + " and " + yPred);
      }
      loggedAt = Objects.requireNonNull(loggedAt, "loggedAt").truncatedTo(ChronoUnit.MILLIS);
    }

    /** A row with {@code absolute_error} computed. */
    public static Row of(String id, String model, double yTrue, double yPred, Instant loggedAt) {
      return new Row(id, model, yTrue, yPred, Math.abs(yTrue - yPred), loggedAt);
    }

    /** The signed error {@code y_pred − y_true}: positive when the model predicted too high. */
    public double error() {
      return yPred - yTrue;
    }
  }

  /** The CSV line of {@code row}, without the line break. Doubles keep every significant digit. */
  public static String format(Row row) {
    try {
      return LINE.writeValueAsString(
          new Object[] {
            row.id(),
            row.model(),
            row.yTrue(),
            row.yPred(),
            row.absoluteError(),
            row.loggedAt().toString()
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to a string: not an I/O failure
    }
  }

  /** Whether {@code line} is the header, its names quoted or not. */
  public static boolean isHeader(String line) {
    if (line.equals(HEADER)) {
      return true;
    }
    try {
      return line.indexOf('"') >= 0 && List.of(fields(line)).equals(COLUMNS);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses one data line, quoted or not. Throws {@link IllegalArgumentException} naming what is
   * wrong: the column count, a number, the time, or an absolute error that is not {@code |y_true −
   * y_pred|}.
   */
  public static Row parse(String line) {
    String[] f = fields(line);
    if (f.length != COLUMNS.size()) {
      throw new IllegalArgumentException(
          "expected 6 columns (" + HEADER + "), got " + f.length + ": " + line);
    }
    double yTrue = number(f[2], "y_true", line);
    double yPred = number(f[3], "y_pred", line);
    double absoluteError = number(f[4], "absolute_error", line);
    Instant at;
    try {
      at = Instant.parse(f[5]);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "logged_at '"
              + f[5]
              + "' is not an ISO-8601 instant such as 2025-01-02T03:04:05.120Z: "
              + line,
          e);
    }
    double expected = Math.abs(yTrue - yPred);
    if (Math.abs(absoluteError - expected) > 1e-9 * Math.max(1.0, expected)) {
      throw new IllegalArgumentException("absolute_error is not |y_true - y_pred| in row: " + line);
    }
    return new Row(f[0], f[1], yTrue, yPred, absoluteError, at);
  }

  private static double number(String text, String column, String line) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(column + " '" + text + "' is not a number: " + line, e);
    }
  }

  private static String[] fields(String line) {
    try (MappingIterator<String[]> records = FIELDS.readValues(line)) {
      if (!records.hasNextValue()) {
        throw new IllegalArgumentException("not a model log row: '" + line + "'");
      }
      return records.nextValue();
    } catch (IOException e) {
      throw new IllegalArgumentException("not a CSV line: " + line, e);
    }
  }

  /**
   * What {@link #read} found.
   *
   * @param rows every whole row, in file order
   * @param tornTail whether a last line without its line break was left out
   */
  public record Contents(List<Row> rows, boolean tornTail) {
    public Contents {
      rows = List.copyOf(rows);
    }
  }

  /** Reads {@code file}; see {@link #read(InputStream, String)}. */
  public static Contents read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads a whole log: the header, then rows. A last line without a line break is left out (a row
   * still being written, or torn by a crash) and reported in {@link Contents#tornTail()}; any other
   * line that is not a row is an error naming its line number, since leaving it out would quietly
   * bias every figure computed from the log. Blank lines and CRLF line ends are accepted.
   *
   * @throws IOException when the first line is not the header, or a line is not a row
   */
  public static Contents read(InputStream in, String source) throws IOException {
    Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
    List<Row> rows = new ArrayList<>();
    // Own line splitting rather than BufferedReader.readLine, which hides whether the last line
    // ended with its line break.
    char[] buffer = new char[1 << 16];
    StringBuilder line = new StringBuilder();
    long number = 0;
    int n;
    while ((n = reader.read(buffer)) > 0) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buffer[i] == '\n') {
          line.append(buffer, start, i - start);
          start = i + 1;
          number++;
          String text = strip(line);
          line.setLength(0);
          if (number == 1) {
            checkHeader(text, source);
          } else if (!text.isBlank()) {
            try {
              rows.add(parse(text));
            } catch (IllegalArgumentException e) {
              throw new IOException(source + ":" + number + ": " + e.getMessage(), e);
            }
          }
        }
      }
      line.append(buffer, start, n - start);
    }
    if (number == 0 && !line.isEmpty()) {
      checkHeader(strip(line), source); // a header alone, without its line break
      return new Contents(rows, false);
    }
    return new Contents(rows, !line.isEmpty());
  }

  private static String strip(StringBuilder line) {
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    String text = line.substring(0, end);
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static void checkHeader(String text, String source) throws IOException {
    if (!isHeader(text)) {
      throw new IOException(source + " is not a model log: its first line is not '" + HEADER + "'");
    }
  }
}
