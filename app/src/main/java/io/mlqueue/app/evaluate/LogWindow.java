package io.mlqueue.app.evaluate;

import io.mlqueue.contract.ModelLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rows of a model log written in {@code [since, until)}, each (id, model) once.
 *
 * @param file the log
 * @param since first instant included, or {@code null} for the start of the log
 * @param until first instant excluded, or {@code null} for its end
 * @param rows the rows in the window, in file order
 * @param rowsRead every whole row of the file
 * @param duplicates rows dropped because their (id, model) came earlier (a redelivery logged twice)
 * @param tornTail whether a last, incomplete line was left out
 */
public record LogWindow(
    Path file,
    Instant since,
    Instant until,
    List<ModelLog.Row> rows,
    int rowsRead,
    int duplicates,
    boolean tornTail) {

  public LogWindow {
    rows = List.copyOf(rows);
  }

  /** Reads {@code file} and keeps the rows logged in {@code [since, until)}. */
  public static LogWindow read(Path file, Instant since, Instant until) throws IOException {
    if (since != null && until != null && !since.isBefore(until)) {
      throw new IllegalArgumentException("--since " + since + " is not before --until " + until);
    }
    ModelLog.Contents contents = ModelLog.read(file);
    Set<String> seen = new HashSet<>();
    List<ModelLog.Row> kept = new ArrayList<>();
    int duplicates = 0;
    for (ModelLog.Row row : contents.rows()) {
      if ((since != null && row.loggedAt().isBefore(since))
          || (until != null && !row.loggedAt().isBefore(until))) {
        continue;
      }
      // id and model joined by a character neither can hold unescaped in one CSV field: a line
      // break.
      if (!seen.add(row.model() + "\n" + row.id())) {
        duplicates++;
        continue;
      }
      kept.add(row);
    }
    return new LogWindow(
        file, since, until, kept, contents.rows().size(), duplicates, contents.tornTail());
  }
}
