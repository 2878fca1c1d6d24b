package io.mlqueue.plot;

import java.nio.charset.StandardCharsets;

/**
 * The drift panel's data for the dashboard, as JSON (format in docs/MONITORING.md): where the model
 * worker runs in the same process (the demo) it comes from its drift monitor; a plot service on its
 * own has none, and the panel says where to look instead.
 */
@FunctionalInterface
public interface DriftFeed {
  /** No drift data here. */
  DriftFeed NONE = () -> "{\"available\":false}".getBytes(StandardCharsets.UTF_8);

  /** The JSON of the latest drift check. */
  byte[] json();
}
