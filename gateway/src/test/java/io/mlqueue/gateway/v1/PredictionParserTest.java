package io.mlqueue.gateway.v1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlqueue.gateway.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** The limits of the body parser that are too large to send through the HTTP tests. */
class PredictionParserTest {
  private final PredictionParser parser = new PredictionParser(1_000);

  @Test
  void takesAnInstanceOfTheMostFeaturesTheWorkersTake() throws ApiError {
    PredictionParser.Parsed p = parser.parse(features(PredictionParser.MAX_FEATURES));

    assertThat(p.instances()[0]).hasSize(PredictionParser.MAX_FEATURES);
    assertThat(p.single()).isTrue();
  }

  @Test
  void refusesOneFeatureMore() {
    assertThatThrownBy(() -> parser.parse(features(PredictionParser.MAX_FEATURES + 1)))
        .isInstanceOf(ApiError.class)
        .hasMessage("\"features\" has more than 65536 values");
  }

  @Test
  void keepsEveryDigitOfANumber() throws ApiError {
    PredictionParser.Parsed p =
        parser.parse(bytes("{\"features\": [0.0380759064334241, -1E-7, 12345678901234567890]}"));

    assertThat(p.instances()[0]).containsExactly(0.0380759064334241, -1e-7, 1.2345678901234567e19);
  }

  @Test
  void recordsNoStackTraceForABadRequest() {
    assertThatThrownBy(() -> parser.parse(bytes("{\"features\": [NaN]}")))
        .isInstanceOf(ApiError.class)
        .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
  }

  private static byte[] features(int n) {
    return bytes("{\"features\": [" + String.join(",", Collections.nCopies(n, "1")) + "]}");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
