package io.mlqueue.plot;

import java.time.Instant;
import java.util.Objects;

/**
 * One draw of the plot service, kept in memory for the dashboard: the numbers the chart was drawn
 * from and the PNG encoded from them. Immutable, so a request thread can use it while the poller
 * draws the next one.
 */
public final class PlotSnapshot {

  private final BinnedErrors binned;
  private final byte[] png;
  private final Instant drawnAt;
  private final long number;

  PlotSnapshot(BinnedErrors binned, byte[] png, Instant drawnAt, long number) {
    this.binned = Objects.requireNonNull(binned, "binned");
    this.png = Objects.requireNonNull(png, "png");
    this.drawnAt = Objects.requireNonNull(drawnAt, "drawnAt");
    this.number = number;
  }

  /** Rows in the chart. */
  public int rows() {
    return binned.rows();
  }

  /** Statistics shown in the chart; {@link ErrorStats#EMPTY} before the first row. */
  public ErrorStats stats() {
    return binned.stats();
  }

  /** When the chart was drawn; the poller draws only when the CSV changed. */
  public Instant drawnAt() {
    return drawnAt;
  }

  /** 1 for the service's first draw, then counting up; tells one image from the next (ETag). */
  public long number() {
    return number;
  }

  /** A copy of the PNG. */
  public byte[] png() {
    return png.clone();
  }

  BinnedErrors binned() {
    return binned;
  }

  /** The PNG itself, for sending without a copy; callers in this package must not modify it. */
  byte[] pngBytes() {
    return png;
  }
}
