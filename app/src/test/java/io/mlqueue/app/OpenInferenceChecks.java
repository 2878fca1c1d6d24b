package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.data.Dataset;
import io.mlqueue.gateway.testing.CheckedClient;
import io.mlqueue.gateway.testing.CheckedClient.Answer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * What the Open Inference API must do with the built-in model served by real workers, on whichever
 * broker the caller runs them (the embedded one in {@code OpenInferenceEndToEndTest}, RabbitMQ in
 * {@code OpenInferenceIT}). Predictions are compared with scikit-learn's for all 442 rows of the
 * diabetes data ({@code reference_linear_regression.json}, a copy of the project's shared
 * reference); every exchange is checked against the protocol's OpenAPI document.
 */
public final class OpenInferenceChecks {
  public static final String MODEL = "diabetes-ols";
  public static final String VERSION = "builtin";
  static final List<String> FEATURES =
      List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6");
  private static final double TOLERANCE = 1e-9;
  private static final Dataset DATA = Dataset.builtIn();

  private final CheckedClient client;
  private final double[] reference = reference();

  public OpenInferenceChecks(CheckedClient client) {
    this.client = client;
  }

  /** Every row, as one [442, 10] tensor flat and nested, and as ten columns in shuffled order. */
  public void predictsEveryRowAsTheReferenceInBothForms() {
    int n = DATA.size();
    assertThat(reference).hasSize(n);
    List<Integer> all = rows(0, n);

    // One [N, F] tensor, flat in row-major order, in one request.
    ArrayNode flat = CheckedClient.JSON.createArrayNode();
    all.forEach(r -> add(flat, DATA.features(r)));
    assertPredictions(post(infer(false), body(null, List.of(tensor("input-0", flat, n, 10)))), all);

    // The same nested, 100 rows a request, on the versioned path.
    for (int from = 0; from < n; from += 100) {
      List<Integer> chunk = rows(from, Math.min(n, from + 100));
      ArrayNode nested = CheckedClient.JSON.createArrayNode();
      chunk.forEach(r -> add(nested.addArray(), DATA.features(r)));
      assertPredictions(
          post(infer(true), body(null, List.of(tensor("x", nested, chunk.size(), 10)))), chunk);
    }

    // One tensor of shape [N] per feature, features in a shuffled order, rows shuffled too.
    Random random = new Random(15);
    List<Integer> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, random);
    List<Integer> order = rows(0, FEATURES.size());
    Collections.shuffle(order, random);
    List<ObjectNode> columns = new ArrayList<>();
    for (int f : order) {
      ArrayNode column = CheckedClient.JSON.createArrayNode();
      shuffled.forEach(r -> column.add(DATA.features(r)[f]));
      columns.add(tensor(FEATURES.get(f), column, n));
    }
    ObjectNode request = body("columns-1", columns);
    request.putObject("parameters").put("content_type", "pd");
    request.putArray("outputs").addObject().put("name", "target");
    Answer columnar = post(infer(false), request);
    assertPredictions(columnar, shuffled);
    assertThat(columnar.json().get("id").asText()).isEqualTo("columns-1");
    assertThat(columnar.json().get("parameters").toString()).isEqualTo("{\"content_type\":\"pd\"}");
  }

  /** Server and model metadata, liveness and readiness, as the worker describes its model. */
  public void describesTheServedModel() {
    assertThat(client.get("/v2/health/live").status()).isEqualTo(200);
    assertThat(client.get("/v2/health/ready").status()).isEqualTo(200);
    assertThat(client.get("/v2").json().get("name").asText()).isEqualTo("mlqueue");
    for (String path :
        List.of("/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/" + VERSION)) {
      Answer a = client.get(path);
      assertThat(a.status()).as(a.body()).isEqualTo(200);
      JsonNode m = a.json();
      assertThat(m.get("name").asText()).isEqualTo(MODEL);
      assertThat(m.get("versions").toString()).isEqualTo("[\"" + VERSION + "\"]");
      assertThat(m.get("platform").asText()).isEqualTo("mlqueue_linear");
      List<String> inputs = new ArrayList<>();
      m.get("inputs").forEach(i -> inputs.add(i.get("name").asText()));
      assertThat(inputs).isEqualTo(FEATURES);
      assertThat(m.at("/outputs/0/name").asText()).isEqualTo("target");
      assertThat(m.at("/outputs/0/shape").toString()).isEqualTo("[-1,1]");
      assertThat(client.get(path + "/ready").status()).isEqualTo(200);
    }
  }

  /** What the worker refuses (400, in its words) and what the gateway does not serve (404). */
  public void refusesWhatTheModelCannotTake() {
    Answer shortRows =
        post(
            infer(false),
            body(
                null,
                List.of(
                    tensor(
                        "x",
                        CheckedClient.JSON.createArrayNode().add(0.01).add(0.02).add(0.03),
                        1,
                        3))));
    assertThat(shortRows.status()).as(shortRows.body()).isEqualTo(400);
    assertThat(shortRows.error())
        .contains("expected 10 features (" + String.join(", ", FEATURES) + "), got 3");

    List<ObjectNode> columns = new ArrayList<>();
    for (int f = 0; f < FEATURES.size(); f++) {
      String name = FEATURES.get(f).equals("bp") ? "blood_pressure" : FEATURES.get(f);
      columns.add(tensor(name, CheckedClient.JSON.createArrayNode().add(DATA.features(0)[f]), 1));
    }
    Answer unknown = post(infer(false), body(null, columns));
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
    assertThat(unknown.error())
        .isEqualTo(
            "unknown feature 'blood_pressure'; the model expects " + String.join(", ", FEATURES));

    Answer model =
        post(
            "/v2/models/other/infer",
            body(null, List.of(tensor("x", CheckedClient.JSON.createArrayNode().add(1), 1, 1))));
    assertThat(model.status()).isEqualTo(404);
    assertThat(model.error())
        .isEqualTo("no model named 'other' is served here; served now: " + MODEL);
    Answer version = client.get("/v2/models/" + MODEL + "/versions/2");
    assertThat(version.status()).isEqualTo(404);
    assertThat(version.error()).contains("no version '2'").contains("served now: " + VERSION);
  }

  // ---- bodies ----

  private static String infer(boolean versioned) {
    return "/v2/models/" + MODEL + (versioned ? "/versions/" + VERSION : "") + "/infer";
  }

  private Answer post(String path, ObjectNode body) {
    try {
      return client.post(path, CheckedClient.JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode body(String id, List<ObjectNode> inputs) {
    ObjectNode body = CheckedClient.JSON.createObjectNode();
    if (id != null) {
      body.put("id", id);
    }
    body.putArray("inputs").addAll(inputs);
    return body;
  }

  private static ObjectNode tensor(String name, ArrayNode data, long... shape) {
    ObjectNode t = CheckedClient.JSON.createObjectNode();
    t.put("name", name);
    ArrayNode s = t.putArray("shape");
    for (long d : shape) {
      s.add(d);
    }
    t.put("datatype", "FP64");
    t.set("data", data);
    return t;
  }

  private static void add(ArrayNode array, double[] values) {
    for (double v : values) {
      array.add(v);
    }
  }

  private void assertPredictions(Answer a, List<Integer> rows) {
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json().get("model_name").asText()).isEqualTo(MODEL);
    assertThat(a.json().get("model_version").asText()).isEqualTo(VERSION);
    JsonNode output = a.json().at("/outputs/0");
    assertThat(output.get("name").asText()).isEqualTo("target");
    assertThat(output.get("datatype").asText()).isEqualTo("FP64");
    assertThat(output.get("shape").toString()).isEqualTo("[" + rows.size() + ",1]");
    JsonNode data = output.get("data");
    assertThat(data.size()).isEqualTo(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertThat(data.get(i).asDouble())
          .as("prediction %d (row %d)", i, rows.get(i))
          .isCloseTo(reference[rows.get(i)], within(TOLERANCE));
    }
  }

  private static List<Integer> rows(int from, int to) {
    List<Integer> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      rows.add(i);
    }
    return rows;
  }

  /** scikit-learn's predictions for the 442 rows. */
  private static double[] reference() {
    try (InputStream in =
        OpenInferenceChecks.class.getResourceAsStream("/reference_linear_regression.json")) {
      JsonNode predictions = CheckedClient.JSON.readTree(in).path("full_fit").path("predictions");
      double[] out = new double[predictions.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = predictions.get(i).asDouble();
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
