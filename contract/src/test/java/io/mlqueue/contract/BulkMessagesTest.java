package io.mlqueue.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The bulk form: many rows per message, ids and bodies as lists (docs/CONTRACT.md). */
class BulkMessagesTest {
  private final MessageCodec codec = new MessageCodec();

  private static byte[] json(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void featureRowsRoundTripInBulkFormWithMixedIds() throws Exception {
    MessageId[] ids = {MessageId.of("a"), MessageId.ofNumber("1700000000.125"), MessageId.random()};
    double[][] rows = {{1.5, -2}, {0, 3e-7}, {4, 5}};
    byte[] wire = codec.encode(new FeatureRows(ids, rows, 99L, true));
    assertThat(new String(wire, UTF_8))
        .startsWith("{\"id\":[\"a\",1700000000.125,\"")
        .contains("\"body\":[[1.5,-2.0],[0.0,3.0E-7],[4.0,5.0]],\"sent_at\":99}");
    FeatureRows back = codec.decodeFeatureRows(wire);
    assertThat(back.bulk()).isTrue();
    assertThat(back.ids()).containsExactly(ids);
    assertThat(back.features()).isDeepEqualTo(rows);
    assertThat(back.sentAtMillis()).isEqualTo(99L);
  }

  @Test
  void valueRowsRoundTripWithTheirModel() throws Exception {
    MessageId[] ids = {MessageId.of("a"), MessageId.of("b")};
    ValueRows sent = new ValueRows(ids, new double[] {151, 75.25}, "m:3", 7L, true);
    byte[] wire = codec.encode(sent);
    assertThat(new String(wire, UTF_8))
        .isEqualTo("{\"id\":[\"a\",\"b\"],\"body\":[151.0,75.25],\"model\":\"m:3\",\"sent_at\":7}");
    ValueRows back = codec.decodeValueRows(wire);
    assertThat(back.ids()).containsExactly(ids);
    assertThat(back.values()).containsExactly(151, 75.25);
    assertThat(back.model()).isEqualTo("m:3");
    assertThat(back.bulk()).isTrue();
  }

  @Test
  void aSingleRowMessageIsTheCoursesFormAndBothReadersTakeIt() throws Exception {
    byte[] wire = codec.encode(ValueRows.single(MessageId.of("x"), 2.5, "", 0));
    assertThat(new String(wire, UTF_8)).isEqualTo("{\"id\":\"x\",\"body\":2.5}");
    assertThat(codec.decodeValueRows(wire).bulk()).isFalse();
    assertThat(codec.decodeValue(wire).value()).isEqualTo(2.5);
    FeatureRows one = codec.decodeFeatureRows(json("{\"id\": 1.5, \"body\": [1, 2]}"));
    assertThat(one.bulk()).isFalse();
    assertThat(one.ids()).containsExactly(MessageId.ofNumber("1.5"));
  }

  @Test
  void aBulkMessageOfOneRowStaysBulk() throws Exception {
    FeatureRows one = codec.decodeFeatureRows(json("{\"id\": [\"a\"], \"body\": [[1, 2]]}"));
    assertThat(one.bulk()).isTrue();
    assertThat(new String(codec.encode(one), UTF_8))
        .isEqualTo("{\"id\":[\"a\"],\"body\":[[1.0,2.0]]}");
  }

  @Test
  void theSingleRowReadersRefuseABulkMessageInWords() {
    assertThatThrownBy(() -> codec.decodeFeatures(json("{\"id\": [\"a\"], \"body\": [[1]]}")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("a bulk message where one feature vector was expected");
    assertThatThrownBy(() -> codec.decodeValue(json("{\"id\": [\"a\"], \"body\": [1]}")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("a bulk message where one value was expected");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fewer bodies than ids   | '{\"id\": [\"a\", \"b\"], \"body\": [[1]]}'       | one \"body\" entry per id: 2 ids, 1 entries",
        "more bodies than ids    | '{\"id\": [\"a\"], \"body\": [[1], [2]]}'        | one \"body\" entry per id: 1 ids, 2 entries",
        "list of ids, one vector | '{\"id\": [\"a\"], \"body\": [1, 2]}'           | \"id\" is a list (a bulk message) but \"body\" is not a list of feature vectors",
        "one id, many vectors    | '{\"id\": \"a\", \"body\": [[1], [2]]}'          | got a list of lists",
        "empty id list           | '{\"id\": [], \"body\": []}'                     | \"id\" is an empty list",
        "bad id in the list      | '{\"id\": [\"a\", true], \"body\": [[1], [2]]}' | \"id\"[1] must be a string or a number, got a boolean",
        "bad number in a row     | '{\"id\": [\"a\", \"b\"], \"body\": [[1], [NaN]]}' | not a finite number",
        "empty row               | '{\"id\": [\"a\"], \"body\": [[]]}'              | is an empty list",
      })
  void malformedBulkFeaturesAreRefusedWithTheirReason(String what, String body, String reason) {
    assertThatThrownBy(() -> codec.decodeFeatureRows(json(body)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining(reason);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "count mismatch      | '{\"id\": [\"a\", \"b\"], \"body\": [1]}' | 2 ids, 1 entries",
        "list id, one number | '{\"id\": [\"a\"], \"body\": 1}'         | \"id\" is a list (a bulk message) but \"body\" is not a list of numbers",
        "one id, list body   | '{\"id\": \"a\", \"body\": [1, 2]}'      | body must be a number, got a list",
        "NaN in the list     | '{\"id\": [\"a\"], \"body\": [NaN]}'     | body[0] is not a finite number",
      })
  void malformedBulkValuesAreRefusedWithTheirReason(String what, String body, String reason) {
    assertThatThrownBy(() -> codec.decodeValueRows(json(body)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining(reason);
  }
}
