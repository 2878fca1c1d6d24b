package io.mlqueue.plot;

import java.nio.charset.StandardCharsets;

/**
 * The pipeline panel's data for the dashboard, as JSON (format in docs/MONITORING.md): the queues'
 * depths and consumers and the delay of the last minute's pairs, where plot can ask the broker and
 * read metric's delay histogram; a plot service without either has none.
 */
@FunctionalInterface
public interface PipelineFeed {
  /** No pipeline data here. */
  PipelineFeed NONE = () -> "{\"available\":false}".getBytes(StandardCharsets.UTF_8);

  /** The JSON of the latest sample. */
  byte[] json();
}
