package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlqueue.app.Main;
import io.mlqueue.app.OpenInferenceChecks;
import io.mlqueue.gateway.testing.CheckedClient;
import io.mlqueue.gateway.testing.CheckedClient.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference API deployed as it would be: a model worker and a gateway as separate
 * processes on a real RabbitMQ (describe calls and replies on direct reply-to). The built-in model
 * answers every row as scikit-learn does; a registry model is reported by its name and version, and
 * while its worker hot-swaps to the next version the metadata lists both. Every exchange is checked
 * against the protocol's OpenAPI document.
 */
class OpenInferenceIT {
  private static final Duration READY = Duration.ofSeconds(30);
  private static final Pattern LISTENING = Pattern.compile("gateway: listening on (http://\\S+)");
  private static final String ROW =
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 10], \"datatype\": \"FP64\","
          + " \"data\": [0.038, 0.051, 0.062, 0.022, -0.044, -0.035, -0.043, -0.003, 0.02, -0.018]}]}";

  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  @TempDir Path dir;

  @Test
  void theBuiltInModelAnswersEveryRowAsTheReferenceThroughBothInputForms() throws Exception {
    ServiceProcess model = services.mlqueue("model", rabbit.uri(), "model");
    model.awaitLog("model: consuming predict", READY);
    CheckedClient client = new CheckedClient(gatewayUrl(startGateway()));
    awaitReady(client);
    OpenInferenceChecks checks = new OpenInferenceChecks(client);

    checks.describesTheServedModel();
    checks.predictsEveryRowAsTheReferenceInBothForms();
    checks.refusesWhatTheModelCannotTake();

    model.stopCleanly();
    await("not ready without the worker")
        .atMost(READY)
        .until(() -> client.get("/v2/health/ready").status() == 503);
    Answer noWorker = client.post("/v2/models/diabetes-ols/infer", ROW);
    assertThat(noWorker.status()).isEqualTo(503);
    assertThat(noWorker.error()).contains("no model worker");
  }

  @Test
  void aRegistryModelIsReportedByNameAndVersionAndBothVersionsDuringASwap() throws Exception {
    String registry = dir.resolve("registry").toString();
    String data = ServiceProcesses.DIABETES_CSV.toAbsolutePath().toString();
    for (int v = 1; v <= 2; v++) {
      assertThat(
              Main.run(
                  "train",
                  "--data",
                  data,
                  "--target",
                  "target",
                  "--register",
                  "diabetes",
                  "--registry",
                  registry))
          .isZero();
    }
    assertThat(Main.run("models", "alias", "diabetes", "production", "1", "--registry", registry))
        .isZero();
    ServiceProcess model =
        services.mlqueue(
            "model",
            rabbit.uri(),
            "model",
            "--model",
            "registry:diabetes@production",
            "--registry",
            registry,
            "--model-poll",
            "500ms");
    model.awaitLog("model: consuming predict", READY);
    CheckedClient client = new CheckedClient(gatewayUrl(startGateway()));
    awaitReady(client);

    Answer v1 = client.get("/v2/models/diabetes");
    assertThat(v1.status()).as(v1.body()).isEqualTo(200);
    assertThat(v1.json().get("versions").toString()).isEqualTo("[\"1\"]");
    Answer first = client.post("/v2/models/diabetes/versions/1/infer", ROW);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().get("model_version").asText()).isEqualTo("1");
    assertThat(client.get("/v2/models/diabetes/versions/2").status()).isEqualTo(404);

    // The alias moves: the worker swaps to version 2 without stopping.
    assertThat(Main.run("models", "alias", "diabetes", "production", "2", "--registry", registry))
        .isZero();
    await("answers from version 2")
        .atMost(READY)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                client
                    .post("/v2/models/diabetes/infer", ROW)
                    .json()
                    .get("model_version")
                    .asText()
                    .equals("2"));

    // Version 1 answered moments ago, version 2 now: both are listed while the swap is recent.
    Answer both = client.get("/v2/models/diabetes");
    assertThat(both.json().get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
    Answer old = client.post("/v2/models/diabetes/versions/1/infer", ROW);
    assertThat(old.status()).as(old.body()).isEqualTo(503);
    assertThat(old.error()).startsWith("the prediction came from diabetes:2, not diabetes:1");
    assertThat(client.post("/v2/models/diabetes/versions/2/infer", ROW).status()).isEqualTo(200);
  }

  private ServiceProcess startGateway() throws Exception {
    return services.mlqueue(
        "gateway",
        rabbit.uri(),
        "gateway",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--timeout",
        "15s");
  }

  private static String gatewayUrl(ServiceProcess gateway) throws InterruptedException {
    gateway.awaitLog("gateway: listening on", READY);
    Matcher m = LISTENING.matcher(gateway.output());
    assertThat(m.find()).as(gateway.tail(20)).isTrue();
    return m.group(1);
  }

  private static void awaitReady(CheckedClient client) {
    await("gateway ready")
        .atMost(READY)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> client.get("/v2/health/ready").status() == 200);
  }
}
