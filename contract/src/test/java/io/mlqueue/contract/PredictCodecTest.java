package io.mlqueue.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PredictCodecTest {
  private final PredictCodec codec = new PredictCodec();

  @Test
  void requestsRoundTripWithAndWithoutNames() throws Exception {
    PredictRequest positional =
        PredictRequest.positional(MessageId.of("r"), new double[][] {{1, 2}, {3.5, -4}});
    assertThat(codec.decodeRequest(codec.encode(positional))).isEqualTo(positional);
    assertThat(new String(codec.encode(positional), UTF_8))
        .isEqualTo("{\"id\":\"r\",\"instances\":[[1.0,2.0],[3.5,-4.0]]}");

    PredictRequest named =
        new PredictRequest(MessageId.ofNumber("7"), new double[][] {{1, 2}}, List.of("b", "a"));
    assertThat(codec.decodeRequest(codec.encode(named))).isEqualTo(named);
  }

  @Test
  void repliesRoundTripBothKinds() throws Exception {
    PredictReply ok =
        new PredictReply.Predictions(MessageId.of("r"), new double[] {152.13, 1}, "m:1");
    assertThat(codec.decodeReply(codec.encode(ok))).isEqualTo(ok);
    PredictReply bad =
        new PredictReply.Failure(
            MessageId.of("r"), PredictReply.Kind.INVALID_INPUT, "unknown feature 'x'");
    assertThat(new String(codec.encode(bad), UTF_8))
        .isEqualTo(
            "{\"id\":\"r\",\"error\":{\"kind\":\"invalid_input\",\"message\":\"unknown feature 'x'\"}}");
    assertThat(codec.decodeReply(codec.encode(bad))).isEqualTo(bad);
  }

  @Test
  void refusesRequestsThatCannotBePredictedNamingWhy() {
    assertThatThrownBy(() -> decode("{\"id\":1,\"instances\":[[1,2],[3]]}"))
        .hasMessageContaining("instance 1 has 1 values, instance 0 has 2");
    assertThatThrownBy(() -> decode("{\"id\":1,\"instances\":[]}"))
        .hasMessageContaining("empty list");
    assertThatThrownBy(() -> decode("{\"id\":1,\"instances\":[[1,2]],\"feature_names\":[\"a\"]}"))
        .hasMessageContaining("1 feature names for rows of 2 values");
    assertThatThrownBy(
            () -> decode("{\"id\":1,\"instances\":[[1,2]],\"feature_names\":[\"a\",\"a\"]}"))
        .hasMessageContaining("repeats a name");
    assertThatThrownBy(() -> decode("{\"id\":1,\"instances\":[[1,NaN]]}"))
        .hasMessageContaining("instances[0][1] is not a finite number");
    assertThatThrownBy(() -> decode("{\"instances\":[[1]]}"))
        .hasMessageContaining("missing field \"id\"");
  }

  @Test
  void describeCallsAndTheirAnswersRoundTrip() throws Exception {
    assertThat(new String(codec.encodeDescribe(MessageId.of("d")), UTF_8))
        .isEqualTo("{\"id\":\"d\"}");
    ModelDescription described =
        new ModelDescription(
            "diabetes-ols", "3", List.of("age", "bmi"), "target", "mlqueue_linear");
    byte[] answer = codec.encode(MessageId.of("d"), described);
    assertThat(new String(answer, UTF_8))
        .isEqualTo(
            "{\"id\":\"d\",\"model\":\"diabetes-ols:3\",\"description\":{\"name\":\"diabetes-ols\","
                + "\"version\":\"3\",\"feature_names\":[\"age\",\"bmi\"],\"target\":\"target\","
                + "\"platform\":\"mlqueue_linear\"}}");
    assertThat(codec.decodeDescription(answer)).isEqualTo(described);
  }

  @Test
  void aDescribeAnswerThatIsAnErrorOrIncompleteIsRefusedSayingWhy() {
    // What a worker that predates describe calls answers: it read the call as a prediction request.
    byte[] old =
        codec.encode(
            new PredictReply.Failure(
                MessageId.of("d"), PredictReply.Kind.INVALID_INPUT, "missing field \"instances\""));
    assertThatThrownBy(() -> codec.decodeDescription(old))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("the worker answered invalid_input: missing field \"instances\"");
    assertThatThrownBy(
            () ->
                codec.decodeDescription(
                    "{\"id\":\"d\",\"description\":{\"name\":\"m\",\"version\":\"1\",\"target\":\"y\"}}"
                        .getBytes(UTF_8)))
        .hasMessageContaining("needs \"name\", \"version\", \"feature_names\" and \"target\"");
    assertThatThrownBy(
            () ->
                codec.decodeDescription(
                    "{\"id\":\"d\",\"description\":{\"name\":\"m\",\"version\":\"1\",\"target\":\"y\",\"feature_names\":[]}}"
                        .getBytes(UTF_8)))
        .hasMessageContaining("at least one feature name");
    assertThatThrownBy(() -> codec.decodeDescription("{\"id\":\"d\"}".getBytes(UTF_8)))
        .hasMessageContaining("needs \"description\"");
  }

  private PredictRequest decode(String json) throws InvalidMessageException {
    return codec.decodeRequest(json.getBytes(UTF_8));
  }
}
