package io.mlqueue.model.registry;

import io.mlqueue.model.Training;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Small exact data sets to train and register in tests. */
final class Fits {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T03:15:00Z"), ZoneOffset.UTC);

  private Fits() {}

  /** {@code y = intercept + slopeA * a + slopeB * b} on 20 rows, columns a, b, y. */
  static Training.Fit line(Path dir, double intercept, double slopeA, double slopeB)
      throws IOException {
    return fit(dir, "a,b,y", intercept, slopeA, slopeB);
  }

  /** The same with other feature names: c, d. */
  static Training.Fit otherFeatures(Path dir) throws IOException {
    return fit(dir, "c,d,y", 1, 1, 1);
  }

  private static Training.Fit fit(Path dir, String header, double c, double sa, double sb)
      throws IOException {
    StringBuilder csv = new StringBuilder(header).append('\n');
    for (int i = 0; i < 20; i++) {
      double a = i;
      double b = (i * 7) % 5;
      csv.append(a).append(',').append(b).append(',').append(c + sa * a + sb * b).append('\n');
    }
    Path file = Files.createTempFile(dir, "data", ".csv");
    Files.writeString(file, csv);
    return Training.fit(file, "y", "ignored", CLOCK);
  }
}
