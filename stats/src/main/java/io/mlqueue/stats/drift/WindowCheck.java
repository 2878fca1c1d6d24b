package io.mlqueue.stats.drift;

import java.util.List;

/**
 * One check of a window against the reference.
 *
 * @param number checks so far, this one included
 * @param rows rows in the window
 * @param columns per feature then the prediction, with their names
 * @param started columns whose drift episode starts with this check
 * @param ended columns whose episode ends with it
 * @param inEpisode columns in an episode after it
 */
public record WindowCheck(
    long number,
    int rows,
    List<Column> columns,
    List<String> started,
    List<String> ended,
    List<String> inEpisode) {

  /** One column's outcome. */
  public record Column(String name, ColumnDrift drift, boolean inEpisode) {}

  public WindowCheck {
    columns = List.copyOf(columns);
    started = List.copyOf(started);
    ended = List.copyOf(ended);
    inEpisode = List.copyOf(inEpisode);
  }
}
