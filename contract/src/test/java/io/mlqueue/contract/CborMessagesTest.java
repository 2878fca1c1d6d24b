package io.mlqueue.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream's messages in CBOR (RFC 8949): the same objects as in JSON, read and written by the
 * same codec with a CBOR factory, and readable by a CBOR library nobody here wrote (Python's
 * cbor2).
 */
class CborMessagesTest {
  private static final String PYTHON = "/usr/bin/python3";

  private final MessageCodec json = new MessageCodec();
  private final MessageCodec cbor = json.in(WireFormat.CBOR);

  @TempDir Path dir;

  private static FeatureRows bulk(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    MessageId[] ids = new MessageId[n];
    double[][] rows = new double[n][10];
    for (int i = 0; i < n; i++) {
      ids[i] = MessageId.random();
      for (int j = 0; j < 10; j++) {
        rows[i][j] = random.nextDouble(-0.2, 0.2);
      }
    }
    return new FeatureRows(ids, rows, 1_795_919_445_832L, true);
  }

  @Test
  void theContentTypeNamesTheFormatAndAnythingElseIsJson() {
    assertThat(WireFormat.ofContentType("application/cbor")).isEqualTo(WireFormat.CBOR);
    assertThat(WireFormat.ofContentType("Application/CBOR; charset=binary"))
        .isEqualTo(WireFormat.CBOR);
    assertThat(WireFormat.ofContentType(null)).isEqualTo(WireFormat.JSON);
    assertThat(WireFormat.ofContentType("application/json")).isEqualTo(WireFormat.JSON);
    assertThat(WireFormat.ofContentType("text/plain")).isEqualTo(WireFormat.JSON);
    assertThat(json.forContentType("application/cbor")).isSameAs(cbor);
    assertThat(cbor.in(WireFormat.JSON)).isSameAs(json);
    assertThat(WireFormat.named("CBOR")).isEqualTo(WireFormat.CBOR);
    assertThatThrownBy(() -> WireFormat.named("xml"))
        .hasMessage("unknown encoding 'xml': json or cbor");
  }

  @Test
  void bulkRowsRoundTripExactlyInAboutHalfTheBytes() throws Exception {
    FeatureRows rows = bulk(100, 1);
    byte[] wire = cbor.encode(rows);
    FeatureRows back = cbor.decodeFeatureRows(wire);
    assertThat(back.bulk()).isTrue();
    assertThat(back.ids()).containsExactly(rows.ids());
    assertThat(back.features()).isDeepEqualTo(rows.features()); // bit for bit: no decimal text
    assertThat(back.sentAtMillis()).isEqualTo(rows.sentAtMillis());
    assertThat(wire.length).isLessThan(json.encode(rows).length * 6 / 10);

    ValueRows values = new ValueRows(rows.ids(), new double[100], "diabetes-ols:2", 5L, true);
    for (int i = 0; i < 100; i++) {
      values.values()[i] = i % 2 == 0 ? 25 + i : Math.PI * i; // whole labels and any double
    }
    ValueRows valuesBack = cbor.decodeValueRows(cbor.encode(values));
    assertThat(valuesBack.values()).containsExactly(values.values());
    assertThat(valuesBack.model()).isEqualTo("diabetes-ols:2");
    assertThat(valuesBack.ids()).containsExactly(values.ids());
  }

  @Test
  void theObjectIsTheJsonOneAsAGenericCborReaderSeesIt() throws Exception {
    FeatureRows rows = bulk(3, 2);
    JsonNode fromCbor = new ObjectMapper(new CBORFactory()).readTree(cbor.encode(rows));
    JsonNode fromJson = new ObjectMapper().readTree(json.encode(rows));
    assertThat(fromCbor).isEqualTo(fromJson);
    ValueRows one = ValueRows.single(MessageId.ofNumber("1700000000.125"), 151, "", 0);
    assertThat(new ObjectMapper(new CBORFactory()).readTree(cbor.encode(one)).toString())
        .isEqualTo("{\"id\":1.700000000125E9,\"body\":151.0}");
  }

  @Test
  void readsWhatPythonsCbor2Wrote() throws Exception {
    // cbor2.dumps({'id': ['a', 1700000000.125, 7], 'body': [[0.038, -0.0446], [1.5, 2.0],
    //              [3, -1e-300]], 'sent_at': 1795919445832})  (Debian's python3-cbor2 5.4.6)
    byte[] features =
        HexFormat.of()
            .parseHex(
                "a3626964836161fb41d954fc400800000764626f64798382fb3fa374bc6a7ef9dbfbbfa6d5cfaacd9e"
                    + "8482fb3ff8000000000000fb40000000000000008203fb81a56e1fc2f8f359"
                    + "6773656e745f61741b000001a22523ff48");
    FeatureRows rows = cbor.decodeFeatureRows(features);
    assertThat(rows.ids())
        .extracting(MessageId::text)
        .containsExactly("a", "1.700000000125E9", "7");
    assertThat(rows.features())
        .isDeepEqualTo(new double[][] {{0.038, -0.0446}, {1.5, 2.0}, {3, -1e-300}});
    assertThat(rows.sentAtMillis()).isEqualTo(1_795_919_445_832L);
    // cbor2.dumps({'id': ['a', 'b'], 'body': [151.0, 75.25], 'model': 'm:3'})
    ValueRows values =
        cbor.decodeValueRows(
            HexFormat.of()
                .parseHex(
                    "a3626964826161616264626f647982fb4062e00000000000fb4052d00000000000656d6f64656c"
                        + "636d3a33"));
    assertThat(values.values()).containsExactly(151.0, 75.25);
    assertThat(values.model()).isEqualTo("m:3");
    // cbor2.dumps({'id': 'x', 'body': float('nan')}): NaN as a half float, refused by name
    assertThatThrownBy(
            () -> cbor.decodeValue(HexFormat.of().parseHex("a2626964617864626f6479f97e00")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("body is not a finite number (NaN)");
  }

  @Test
  void pythonsCbor2ReadsWhatWeWrite() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean cbor2 =
        Files.isExecutable(Path.of(PYTHON))
            && new ProcessBuilder(PYTHON, "-c", "import cbor2").start().waitFor() == 0;
    if (!ci) {
      assumeThat(cbor2).as("python3-cbor2 is not installed; skipping").isTrue();
    }
    assertThat(cbor2).as("CI must have python3-cbor2 (.ci/run installs it)").isTrue();

    FeatureRows rows = bulk(100, 3);
    Path wire = dir.resolve("features.cbor");
    Files.write(wire, cbor.encode(rows));
    Process python =
        new ProcessBuilder(
                PYTHON,
                "-c",
                "import cbor2, json, sys\n"
                    + "m = cbor2.loads(open(sys.argv[1], 'rb').read())\n"
                    + "print(json.dumps(m))",
                wire.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(python.getInputStream().readAllBytes(), UTF_8);
    assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(python.exitValue()).as(out).isZero();
    // Python's json writes floats with repr (shortest round trip), as Jackson does: the texts of
    // the two objects read back as the same rows.
    FeatureRows viaPython = json.decodeFeatureRows(out.strip().getBytes(UTF_8));
    assertThat(viaPython.ids()).containsExactly(rows.ids());
    assertThat(viaPython.features()).isDeepEqualTo(rows.features());
    assertThat(viaPython.sentAtMillis()).isEqualTo(rows.sentAtMillis());
  }

  @Test
  void badCborIsRefusedInWordsThatNameTheFormat() {
    assertThatThrownBy(() -> cbor.decodeFeatureRows("{\"id\":\"a\",\"body\":[1]}".getBytes(UTF_8)))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageStartingWith("expected a CBOR object");
    byte[] good = cbor.encode(bulk(2, 4));
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 5);
    assertThatThrownBy(() -> cbor.decodeFeatureRows(truncated))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageStartingWith("truncated");
    // {"id": h'0102', "body": [1.0]}: a byte string is no id
    assertThatThrownBy(
            () -> cbor.decodeFeatures(HexFormat.of().parseHex("a262696442010264626f647981f93c00")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessage("\"id\" must be a string or a number, got binary data");
    // {"id": "a", "id": "b", "body": [1.0]}: a duplicated key
    assertThatThrownBy(
            () ->
                cbor.decodeFeatures(
                    HexFormat.of().parseHex("a362696461616269646162" + "64626f647981f93c00")))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("Duplicate");
    byte[] oversized = new byte[MessageCodec.MIN_MAX_BYTES + 1];
    assertThatThrownBy(
            () ->
                new MessageCodec(MessageCodec.MIN_MAX_BYTES, WireFormat.CBOR)
                    .decodeFeatures(oversized))
        .isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("over the limit");
  }
}
