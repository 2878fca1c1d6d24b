package io.mlqueue.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The reference values computed by {@code make_fixtures.py} with NumPy and SciPy (see that script
 * beside {@code evaluation_fixtures.json} in the test resources).
 */
public final class Fixtures {
  private static JsonNode root;

  private Fixtures() {}

  public static synchronized JsonNode get(String section) {
    if (root == null) {
      try (InputStream in =
          Fixtures.class.getResourceAsStream(
              "/io/mlqueue/stats/compare/evaluation_fixtures.json")) {
        root = new ObjectMapper().readTree(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root.get(section);
  }

  public static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  public static int[][] indices(JsonNode rows) {
    int[][] out = new int[rows.size()][];
    for (int r = 0; r < out.length; r++) {
      JsonNode row = rows.get(r);
      out[r] = new int[row.size()];
      for (int i = 0; i < out[r].length; i++) {
        out[r][i] = row.get(i).asInt();
      }
    }
    return out;
  }
}
