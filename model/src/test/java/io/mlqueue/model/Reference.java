package io.mlqueue.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** scikit-learn's fit of the diabetes data, from the test resource of the same name. */
final class Reference {
  private static final JsonNode ROOT = load();
  static final JsonNode FULL_FIT = ROOT.get("full_fit");
  static final JsonNode CV_5FOLD = ROOT.get("cv_5fold");

  private Reference() {}

  private static JsonNode load() {
    try (InputStream in =
        Reference.class.getResourceAsStream("/reference_linear_regression.json")) {
      if (in == null) {
        throw new IllegalStateException(
            "test resource reference_linear_regression.json is missing");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double intercept() {
    return FULL_FIT.get("intercept").doubleValue();
  }

  static double coef(String feature) {
    return FULL_FIT.get("coef").get(feature).doubleValue();
  }

  static double prediction(int row) {
    return FULL_FIT.get("predictions").get(row).doubleValue();
  }

  static double metric(String name) {
    return FULL_FIT.get(name).doubleValue();
  }
}
