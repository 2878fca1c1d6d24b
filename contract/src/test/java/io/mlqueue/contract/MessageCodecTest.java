package io.mlqueue.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageCodecTest {
  private final MessageCodec codec = new MessageCodec();

  private static byte[] json(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void decodesCourseFeaturesWithFloatTimestampId() throws Exception {
    FeaturesMessage m =
        codec.decodeFeatures(json("{\"id\": 1700000000.123456, \"body\": [0.1, -2, 3e-2]}"));
    assertThat(m.id()).isEqualTo(MessageId.ofNumber("1700000000.123456"));
    assertThat(m.features()).containsExactly(0.1, -2.0, 0.03);
    assertThat(m.sentAtMillis()).isZero();
  }

  @Test
  void echoesNumericIdLiteralUnchanged() throws Exception {
    // A double round trip would print 1.7000000001234567E9 and break the course's pairing.
    String literal = "1700000000.1234567";
    ValueMessage in = codec.decodeValue(json("{\"id\": " + literal + ", \"body\": 1.5}"));
    String out = new String(codec.encode(ValueMessage.of(in.id(), 2.5)), UTF_8);
    assertThat(out).isEqualTo("{\"id\":" + literal + ",\"body\":2.5}");
  }

  @Test
  void stringIdsRoundTrip() throws Exception {
    MessageId id = MessageId.random();
    FeaturesMessage sent = new FeaturesMessage(id, new double[] {1.25, -0.5}, 1234L);
    FeaturesMessage back = codec.decodeFeatures(codec.encode(sent));
    assertThat(back).isEqualTo(sent);
    assertThat(back.id().numeric()).isFalse();
  }

  @Test
  void stringAndNumberIdsAreDifferentIds() throws Exception {
    MessageId s = codec.decodeValue(json("{\"id\": \"7\", \"body\": 1}")).id();
    MessageId n = codec.decodeValue(json("{\"id\": 7, \"body\": 1}")).id();
    assertThat(s).isNotEqualTo(n);
  }

  @Test
  void valueMessageCarriesModelAndTimestamp() throws Exception {
    ValueMessage m = new ValueMessage(MessageId.of("a"), 152.13, "diabetes-ols:builtin", 99L);
    assertThat(codec.decodeValue(codec.encode(m))).isEqualTo(m);
  }

  @Test
  void unknownFieldsAreIgnored() throws Exception {
    ValueMessage m =
        codec.decodeValue(json("{\"x\": {\"deep\": [1, {\"a\": 2}]}, \"id\": \"q\", \"body\": 3}"));
    assertThat(m.value()).isEqualTo(3.0);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not JSON             | {oops                               | not valid JSON",
        "truncated            | '{\"id\": \"a\", \"body\": [1, 2'   | truncated JSON",
        "array not object     | '[1, 2]'                             | expected a JSON object",
        "missing id           | '{\"body\": [1]}'                    | missing field \"id\"",
        "missing body         | '{\"id\": \"a\"}'                    | missing field \"body\"",
        "boolean id           | '{\"id\": true, \"body\": [1]}'      | \"id\" must be a string or a number, got a boolean",
        "null id              | '{\"id\": null, \"body\": [1]}'      | \"id\" must be a string or a number, got null",
        "body not a list      | '{\"id\": \"a\", \"body\": 5}'       | \"body\" must be a list of numbers, got a number",
        "string in body       | '{\"id\": \"a\", \"body\": [1, \"x\"]}' | body[1] must be a number, got a string",
        "NaN in body          | '{\"id\": \"a\", \"body\": [1, NaN]}' | body[1] is not a finite number (NaN)",
        "Infinity in body     | '{\"id\": \"a\", \"body\": [Infinity]}' | body[0] is not a finite number",
        "empty body           | '{\"id\": \"a\", \"body\": []}'      | \"body\" is an empty list",
        "duplicated id        | '{\"id\": \"a\", \"id\": \"b\", \"body\": [1]}' | not valid JSON: Duplicate field 'id'",
        "trailing garbage     | '{\"id\": \"a\", \"body\": [1]} x'   | not valid JSON",
      })
  void rejectsMalformedFeaturesWithAReason(String what, String body, String reason) {
    assertThatThrownBy(() -> codec.decodeFeatures(json(body)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void rejectsNonFiniteValue() {
    assertThatThrownBy(() -> codec.decodeValue(json("{\"id\": 1, \"body\": -Infinity}")))
        .hasMessageContaining("body is not a finite number");
  }

  @Test
  void rejectsDeepNesting() {
    String deep = "[".repeat(200) + "]".repeat(200);
    assertThatThrownBy(
            () -> codec.decodeValue(json("{\"id\": 1, \"x\": " + deep + ", \"body\": 1}")))
        .hasMessageContaining("nested deeper than");
  }

  @Test
  void rejectsOversizedBody() {
    MessageCodec small = new MessageCodec(100);
    byte[] big = json("{\"id\": \"a\", \"body\": [" + "1,".repeat(100) + "1]}");
    assertThatThrownBy(() -> small.decodeFeatures(big))
        .hasMessageContaining("over the limit of 100 bytes");
  }

  @Test
  void rejectsInvalidUtf8() {
    byte[] bad = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertThatThrownBy(() -> codec.decodeValue(bad))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void peeksIdOfOtherwiseInvalidMessage() {
    assertThat(codec.peekId(json("{\"id\": \"abc\", \"body\": \"nope\"}")))
        .contains(MessageId.of("abc"));
    assertThat(codec.peekId(json("garbage"))).isEmpty();
  }
}
