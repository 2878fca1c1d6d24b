package io.mlqueue.model.registry;

import io.mlqueue.model.onnx.TinyGraphs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** ONNX files reading the columns of {@link Fits#line}: features a, b, target y. */
final class OnnxFiles {
  private OnnxFiles() {}

  /**
   * {@code y = intercept + slopeA * a + slopeB * b} in float, declaring itself {@code
   * exported:VERSION} with features a, b and target y.
   */
  static Path line(Path dir, String file, double intercept, double slopeA, double slopeB)
      throws IOException {
    return TinyGraphs.write(
        TinyGraphs.withMetadata(
            TinyGraphs.linear(new double[] {slopeA, slopeB}, intercept),
            Map.of(
                "mlqueue.name", "exported",
                "mlqueue.version", "7.1",
                "mlqueue.features", "a,b",
                "mlqueue.target", "y")),
        dir.resolve(file));
  }

  /** The same line reading features c, d: a worker serving a, b must refuse it. */
  static Path otherFeatures(Path dir, String file) throws IOException {
    return TinyGraphs.write(
        TinyGraphs.withMetadata(
            TinyGraphs.linear(new double[] {1, 1}, 1),
            Map.of("mlqueue.features", "c,d", "mlqueue.target", "y")),
        dir.resolve(file));
  }
}
