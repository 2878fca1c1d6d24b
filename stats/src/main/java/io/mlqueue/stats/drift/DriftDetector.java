package io.mlqueue.stats.drift;

import java.util.ArrayList;
import java.util.List;

/**
 * Live drift of one model's inputs and outputs against its reference profile: rows go in, a {@link
 * WindowCheck} comes out when a window is due, with the drift episodes that start and end there. A
 * column's episode starts after {@link WindowSettings#patience()} drifted checks in a row and ends
 * at the first check that is not drifted, so an alarm is raised once per episode rather than at
 * every window. Not thread-safe: {@link #add} and {@link #check} are called by one owner, {@link
 * #check} may run on another thread than {@link #add} if the owner hands the snapshot over.
 */
public final class DriftDetector {
  private final ReferenceProfile reference;
  private final WindowSettings settings;
  private final RowWindow window;
  private final int[] drifted;
  private final boolean[] inEpisode;
  private long checks;

  public DriftDetector(ReferenceProfile reference, WindowSettings settings, long nowMillis) {
    this.reference = reference;
    this.settings = settings;
    this.window = new RowWindow(reference.features().size(), settings, nowMillis);
    this.drifted = new int[reference.features().size() + 1];
    this.inEpisode = new boolean[drifted.length];
  }

  /** Adds one row; returns a snapshot of the window when a check is due, else null. */
  public double[][] add(double[] features, double prediction, long nowMillis) {
    window.add(features, prediction);
    return window.due(nowMillis) ? window.takeSnapshot(nowMillis) : null;
  }

  /**
   * Checks a snapshot that {@link #add} returned against the reference. Snapshots must be checked
   * in the order they were taken.
   */
  public WindowCheck check(double[][] snapshot) {
    checks++;
    List<WindowCheck.Column> columns = new ArrayList<>();
    List<String> started = new ArrayList<>();
    List<String> ended = new ArrayList<>();
    List<String> episodes = new ArrayList<>();
    for (int j = 0; j < snapshot.length; j++) {
      ColumnProfile profile =
          j < reference.features().size() ? reference.features().get(j) : reference.prediction();
      ColumnDrift d =
          profile.count() == 0 || allMissing(snapshot[j]) ? null : profile.compare(snapshot[j]);
      boolean isDrifted = d != null && d.drifted();
      drifted[j] = isDrifted ? drifted[j] + 1 : 0;
      if (!inEpisode[j] && drifted[j] >= settings.patience()) {
        inEpisode[j] = true;
        started.add(profile.name());
      } else if (inEpisode[j] && !isDrifted) {
        inEpisode[j] = false;
        ended.add(profile.name());
      }
      if (inEpisode[j]) {
        episodes.add(profile.name());
      }
      if (d != null) {
        columns.add(new WindowCheck.Column(profile.name(), d, inEpisode[j]));
      }
    }
    return new WindowCheck(checks, snapshot[0].length, columns, started, ended, episodes);
  }

  private static boolean allMissing(double[] values) {
    for (double v : values) {
      if (!Double.isNaN(v)) {
        return false;
      }
    }
    return true;
  }

  /** The reference this detector compares with. */
  public ReferenceProfile reference() {
    return reference;
  }

  /** The window settings. */
  public WindowSettings settings() {
    return settings;
  }
}
