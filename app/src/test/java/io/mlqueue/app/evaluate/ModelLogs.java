package io.mlqueue.app.evaluate;

import io.mlqueue.contract.ModelLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;

/** Model logs built directly, as metric will write them, with seeded errors. */
public final class ModelLogs {
  public static final Instant START = Instant.parse("2025-03-01T10:00:00Z");

  private ModelLogs() {}

  /**
   * A shadow: both models answer ids 0..pairs-1, one pair every 100 ms; errors normal with the
   * given standard deviations; then, if {@code canary} > 0, that many ids answered by one model
   * each (alternately).
   */
  public static Path write(
      Path file,
      String champion,
      double sdChampion,
      String challenger,
      double sdChallenger,
      int pairs,
      int canary,
      long seed)
      throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    StringBuilder text = new StringBuilder(ModelLog.HEADER).append('\n');
    for (int i = 0; i < pairs + canary; i++) {
      double truth = Math.round(152 + 77 * r.nextGaussian());
      Instant at = START.plusMillis(100L * i);
      boolean shadow = i < pairs;
      if (shadow || i % 2 == 0) {
        text.append(
                ModelLog.format(
                    ModelLog.Row.of(
                        "id-" + i, champion, truth, truth + sdChampion * r.nextGaussian(), at)))
            .append('\n');
      }
      if (shadow || i % 2 == 1) {
        text.append(
                ModelLog.format(
                    ModelLog.Row.of(
                        "id-" + i,
                        challenger,
                        truth,
                        truth + sdChallenger * r.nextGaussian(),
                        at.plusMillis(3))))
            .append('\n');
      }
    }
    Files.writeString(file, text);
    return file;
  }
}
