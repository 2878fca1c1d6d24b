package io.mlqueue.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bodies written to hurt a consumer: each must end in an {@link InvalidMessageException} whose
 * message names the problem, never in another exception, a stack overflow or an allocation that
 * grows with what the sender claims.
 */
class HostileInputTest {
  private final MessageCodec codec = new MessageCodec();
  private final PredictCodec predict = new PredictCodec();

  private static byte[] json(String s) {
    return s.getBytes(UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "object id              | '{\"id\": {\"a\": 1}, \"body\": 1}'       | \"id\" must be a string or a number, got an object",
        "list id, scalar body   | '{\"id\": [1], \"body\": 1}'              | \"id\" is a list (a bulk message) but \"body\" is not a list of numbers",
        "list of lists as id    | '{\"id\": [[1]], \"body\": [1]}'          | \"id\"[0] must be a string or a number, got a list",
        "NaN id                 | '{\"id\": NaN, \"body\": 1}'              | \"id\" is not a finite number",
        "Infinity id            | '{\"id\": -Infinity, \"body\": 1}'        | \"id\" is not a finite number",
        "NaN as a string        | '{\"id\": \"a\", \"body\": \"NaN\"}'      | body must be a number, got a string",
        "number out of range    | '{\"id\": \"a\", \"body\": 1e400}'        | body is not a finite number (1e400)",
        "negative out of range  | '{\"id\": \"a\", \"body\": -1e309}'       | body is not a finite number (-1e309)",
        "whitespace only        | '   '                                     | JSON object",
        "null document          | 'null'                                    | expected a JSON object",
        "string document        | '\"id\"'                                  | expected a JSON object",
        "two objects            | '{\"id\": \"a\", \"body\": 1}{\"id\": \"b\", \"body\": 2}' | unexpected content after the JSON object",
        "unclosed string        | '{\"id\": \"a'                            | truncated JSON",
        "duplicated body        | '{\"id\": \"a\", \"body\": 1, \"body\": 2}' | Duplicate field 'body'",
        "duplicated unknown key | '{\"id\": \"a\", \"x\": 1, \"x\": 2, \"body\": 1}' | Duplicate field 'x'",
        "single quotes          | '{''id'': ''a'', ''body'': 1}'            | not valid JSON",
        "comment                | '{\"id\": \"a\", /* hi */ \"body\": 1}'   | not valid JSON",
        "leading zeros          | '{\"id\": \"a\", \"body\": 007}'          | not valid JSON",
        "hex number             | '{\"id\": \"a\", \"body\": 0x10}'         | not valid JSON",
      })
  void valueMessagesAreRejectedWithTheirReason(String what, String body, String reason) {
    assertThatThrownBy(() -> codec.decodeValue(json(body)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void aHundredThousandOpeningBracketsAreRefusedWithoutRecursion() {
    for (String deep : new String[] {"[".repeat(100_000), "{\"a\":".repeat(100_000)}) {
      assertThatThrownBy(() -> codec.decodeFeatures(json(deep)))
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageMatching(
              "expected a JSON object.*, got a list|JSON nested deeper than 32 levels");
      // In "body" (a vector, or a bulk message's list of vectors), the first level that is not a
      // number is reason enough.
      String inBody = "{\"id\": \"a\", \"body\": [" + deep;
      assertThatThrownBy(() -> codec.decodeFeatures(json(inBody)))
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageMatching("body\\[0\\](\\[0\\])? must be a number, got a.*");
      String skipped = "{\"id\": \"a\", \"extra\": " + deep;
      assertThatThrownBy(() -> codec.decodeValue(json(skipped)))
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("nested deeper than 32 levels");
      assertThatThrownBy(() -> predict.decodeRequest(json("{\"id\": 1, \"instances\": [" + deep)))
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("instances[0]");
      assertThat(codec.peekId(json(skipped))).contains(MessageId.of("a"));
      assertThat(codec.peekId(json(deep))).isEmpty();
    }
  }

  @Test
  void aTruncatedMessageIsNamedWithoutTheParsersInternals() {
    assertThatThrownBy(() -> codec.decodeFeatures(json("{\"id\": \"a\", \"body\": [0.1, 0.2")))
        .hasMessage("truncated JSON: Unexpected end-of-input: expected close marker for Array");
    assertThatThrownBy(() -> codec.decodeValue(json("{\"id\": \"a\", \"body\": 0.1")))
        .hasMessage("truncated JSON: Unexpected end-of-input: expected close marker for Object");
  }

  @Test
  void aNumberLongerThanTheParserTakesIsNamedAsSuchNotAsNesting() {
    String digits = "9".repeat(5_000);
    assertThatThrownBy(() -> codec.decodeValue(json("{\"id\": \"a\", \"body\": " + digits + "}")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage(
            "JSON beyond the parser's limits: Number value length (5000) exceeds the maximum"
                + " allowed (1000)");
    assertThatThrownBy(() -> codec.decodeValue(json("{\"id\": " + digits + ", \"body\": 1}")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("Number value length (5000)");
  }

  @Test
  void invalidUtf8IsRefusedWhereverItIs() {
    byte[][] bad = {
      utf8With("{\"id\": \"", new byte[] {(byte) 0xC3, 0x28}, "\", \"body\": 1}"),
      utf8With("{\"id\": \"a\", \"body\": 1, \"x\": \"", new byte[] {(byte) 0xFF}, "\"}"),
      utf8With(
          "{\"id\": \"a\", \"model\": \"",
          new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
          "\", \"body\": 1}"), // a UTF-16 surrogate, encoded as if it were a character
      utf8With(
          "{\"id\": \"a\", \"body\": 1, \"x\": \"", new byte[] {(byte) 0xE2, (byte) 0x82}, "\"}"),
      utf8With("", new byte[] {(byte) 0xFE, (byte) 0xFE}, "{\"id\": \"a\", \"body\": 1}"),
    };
    for (byte[] body : bad) {
      assertThatThrownBy(() -> codec.decodeValue(body))
          .isInstanceOf(InvalidMessageException.class)
          .hasMessageContaining("UTF-8");
    }
  }

  @Test
  void anOutOfRangeSentAtIsIgnoredLikeAnyFieldWeCannotUse() throws Exception {
    ValueMessage m =
        codec.decodeValue(
            json("{\"id\": \"a\", \"body\": 1, \"sent_at\": 99999999999999999999999}"));
    assertThat(m.sentAtMillis()).isZero();
    assertThat(
            codec
                .decodeValue(json("{\"id\": \"a\", \"body\": 1, \"sent_at\": \"x\"}"))
                .sentAtMillis())
        .isZero();
  }

  @Test
  void anOversizedBodyIsRefusedBeforeParsingNamingTheLimitAndItsOption() {
    MessageCodec small = new MessageCodec(1_000);
    byte[] big = new byte[5_000]; // not even JSON: the size is checked first
    assertThatThrownBy(() -> small.decodeFeatures(big))
        .hasMessage("message of 5000 bytes is over the limit of 1000 bytes (--max-message-bytes)");
    assertThatThrownBy(() -> new PredictCodec(1_000).decodeRequest(big))
        .hasMessage("message of 5000 bytes is over the limit of 1000 bytes (--max-message-bytes)");
    assertThat(small.peekId(big)).isEmpty();
  }

  @Test
  void tooManyValuesAreRefusedAtTheBoundNotAfterReadingThemAll() {
    String many = "0,".repeat(JsonParsing.MAX_FEATURES) + "0";
    assertThatThrownBy(
            () -> codec.decodeFeatures(json("{\"id\": \"a\", \"body\": [" + many + "]}")))
        .hasMessageContaining("\"body\" has more than " + JsonParsing.MAX_FEATURES + " values");
    String rows = "[0],".repeat(PredictCodec.MAX_INSTANCES) + "[0]";
    assertThatThrownBy(
            () -> predict.decodeRequest(json("{\"id\": 1, \"instances\": [" + rows + "]}")))
        .hasMessageContaining("more than " + PredictCodec.MAX_INSTANCES + " instances");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "object id          | '{\"id\": {}, \"instances\": [[1]]}'               | \"id\" must be a string or a number, got an object",
        "instances a string | '{\"id\": 1, \"instances\": \"[[1]]\"}'            | \"instances\" must be a list of lists of numbers",
        "flat instances     | '{\"id\": 1, \"instances\": [1, 2]}'               | instances[0] must be a list of numbers, got a number",
        "Infinity in a row  | '{\"id\": 1, \"instances\": [[Infinity]]}'         | instances[0][0] is not a finite number",
        "names not strings  | '{\"id\": 1, \"instances\": [[1]], \"feature_names\": [1]}' | \"feature_names\" must be a list of strings",
        "duplicated id      | '{\"id\": 1, \"id\": 2, \"instances\": [[1]]}'     | Duplicate field 'id'",
        "no instances       | '{\"id\": 1}'                                      | missing field \"instances\"",
      })
  void predictRequestsAreRejectedWithTheirReason(String what, String body, String reason) {
    assertThatThrownBy(() -> predict.decodeRequest(json(body)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining(reason);
  }

  /**
   * Seeded random bytes, and random mutations of a valid message: whatever comes out, decoding
   * either succeeds or names a reason; nothing else escapes.
   */
  @Test
  void randomBytesAndMutationsNeverEscapeAsAnotherException() {
    Random random = new Random(20261129);
    byte[] valid = json("{\"id\": \"a-1\", \"body\": [0.1, -2, 3e-2], \"sent_at\": 17}");
    for (int i = 0; i < 20_000; i++) {
      byte[] body;
      if (i % 2 == 0) {
        body = new byte[random.nextInt(64)];
        random.nextBytes(body);
      } else {
        body = valid.clone();
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
      }
      decodeAllWays(body);
    }
  }

  private void decodeAllWays(byte[] body) {
    try {
      codec.decodeFeatures(body);
    } catch (InvalidMessageException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    try {
      codec.decodeValue(body);
    } catch (InvalidMessageException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    try {
      predict.decodeRequest(body);
    } catch (InvalidMessageException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    codec.peekId(body);
  }

  private static byte[] utf8With(String before, byte[] raw, String after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(json(before));
    out.writeBytes(raw);
    out.writeBytes(json(after));
    return out.toByteArray();
  }
}
