package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.data.Dataset;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP gateway deployed as it would be: gateways and model workers as separate processes on a
 * real RabbitMQ, so replies travel on RabbitMQ's direct reply-to (which the embedded broker lacks)
 * and requests carry a per-message TTL.
 */
class GatewayIT {
  private static final Duration READY = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOLERANCE = 1e-9;
  private static final int REQUESTS = 2_000;
  private static final int CLIENT_THREADS = 16;

  /**
   * Long enough that a GC pause or a busy core (five JVMs share two here) is no 504, and much
   * longer than the time to a 503 without a worker, so the two cannot be confused.
   */
  private static final String GATEWAY_TIMEOUT = "15s";

  /** {@code gateway: listening on http://127.0.0.1:41234 (POST /v1/predict; …)}, on stdout. */
  private static final Pattern LISTENING = Pattern.compile("gateway: listening on (http://\\S+)");

  /** {@code model: metrics on http://127.0.0.1:41235/metrics, health on /health}, in the log. */
  private static final Pattern METRICS_AT = Pattern.compile("metrics on (http://\\S+)/metrics");

  // Ordered: processes are started after the vhost exists and killed before it is deleted.
  @RegisterExtension
  @Order(1)
  final RabbitMqVhost rabbit = new RabbitMqVhost();

  @RegisterExtension
  @Order(2)
  final ServiceProcesses services = new ServiceProcesses();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void twoGatewaysAndTwoWorkersAnswerEveryRequestWithItsOwnRowsPredictionThen503WithoutWorkers()
      throws Exception {
    String uri = rabbit.uri();
    ServiceProcess model1 =
        services.mlqueue(
            "model-1", uri, "model", "--metrics-port", "0", "--metrics-host", "127.0.0.1");
    ServiceProcess model2 =
        services.mlqueue(
            "model-2", uri, "model", "--metrics-port", "0", "--metrics-host", "127.0.0.1");
    ServiceProcess gateway1 = startGateway("gateway-1", uri);
    ServiceProcess gateway2 = startGateway("gateway-2", uri);
    model1.awaitLog("model: consuming predict", READY);
    model2.awaitLog("model: consuming predict", READY);
    String metrics1 = metricsUrl(model1);
    String metrics2 = metricsUrl(model2);
    List<String> gateways = List.of(gatewayUrl(gateway1), gatewayUrl(gateway2));
    // Both gateways must see both workers before the load starts, or the first requests of a
    // gateway that has not polled yet would be refused as having no worker.
    for (String g : gateways) {
      awaitHealth(g, 200, 2);
    }

    // 2,000 requests from 16 threads, alternating gateways, each carrying one row of the data:
    // consecutive requests carry different rows, so an answer handed to the wrong request (across
    // gateways, workers or correlation ids) shows as a prediction for another row.
    Dataset data = Dataset.builtIn();
    double[] reference = referencePredictions();
    assertThat(reference).hasSize(data.size());
    List<Future<String>> results = new ArrayList<>(REQUESTS);
    long start = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
    try {
      for (int i = 0; i < REQUESTS; i++) {
        int row = (i * 7) % data.size(); // 7 is prime to 442: every row, in a scattered order
        String gateway = gateways.get(i % 2);
        String body = "{\"features\": " + Arrays.toString(data.features(row)) + "}";
        results.add(clients.submit(() -> check(post(gateway, body), row, reference[row])));
      }
      clients.shutdown();
      assertThat(clients.awaitTermination(60, TimeUnit.SECONDS))
          .as("2,000 requests answered within 60 s")
          .isTrue();
    } finally {
      clients.shutdownNow();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    List<String> problems = new ArrayList<>();
    for (Future<String> r : results) {
      String problem = r.get(1, TimeUnit.SECONDS);
      if (problem != null) {
        problems.add(problem);
      }
    }
    assertThat(problems).as("requests answered wrongly (of %d, in %s)", REQUESTS, took).isEmpty();

    // Both workers took part, and between them predicted each request's row exactly once.
    BatchRows rows1 = batchRows(metrics1);
    BatchRows rows2 = batchRows(metrics2);
    assertThat(rows1.batches()).as("batches of model-1 (model-2: %s)", rows2).isPositive();
    assertThat(rows2.batches()).as("batches of model-2 (model-1: %s)", rows1).isPositive();
    assertThat(rows1.rows() + rows2.rows()).as("rows predicted by both").isEqualTo(REQUESTS);
    // For whoever reads the build log: the pace and the split, which no assertion pins down.
    System.out.printf(
        "GatewayIT: %d requests over 2 gateways in %d ms; model-1 %s, model-2 %s%n",
        REQUESTS, took.toMillis(), rows1, rows2);

    // Without workers, a gateway says so at once instead of holding the client for its timeout.
    assertThat(model1.stop()).as("exit code of model-1 after SIGTERM").isZero();
    assertThat(model2.stop()).as("exit code of model-2 after SIGTERM").isZero();
    for (String g : gateways) {
      // The gateway polls for workers every 250 ms: wait until it has seen them go.
      awaitHealth(g, 503, 0);
      long before = System.nanoTime();
      HttpResponse<String> r = post(g, "{\"features\": " + Arrays.toString(data.features(0)) + "}");
      Duration noWorker = Duration.ofNanos(System.nanoTime() - before);
      assertThat(r.statusCode()).as("%s without workers: %s", g, r.body()).isEqualTo(503);
      assertThat(JSON.readTree(r.body()).path("error").path("code").asText())
          .isEqualTo("no_worker");
      assertThat(noWorker).as("time to the 503 of %s", g).isLessThan(Duration.ofSeconds(2));
    }

    // SIGTERM, as an orchestrator stops them: exit 0, not 143.
    SoftAssertions softly = new SoftAssertions();
    for (ServiceProcess p : List.of(gateway1, gateway2)) {
      softly
          .assertThat(p.stop())
          .as("exit code of %s; its log ends:%n%s", p.name(), p.tail(5))
          .isZero();
      softly.assertThat(p.output()).contains("gateway: stopping on signal");
    }
    softly.assertThat(model1.output()).contains("model: stopping on signal");
    softly.assertThat(model2.output()).contains("model: stopping on signal");
    softly.assertAll();
  }

  @Test
  void gatewayHealthIsReadyOnlyWhileAWorkerRunsAndMetricsCountRequestsByOutcome() throws Exception {
    String uri = rabbit.uri();
    ServiceProcess gatewayProcess = startGateway("gateway", uri);
    String gateway = gatewayUrl(gatewayProcess);

    HttpResponse<String> alone = get(gateway + "/health");
    assertThat(alone.statusCode()).as(alone.body()).isEqualTo(503);
    JsonNode aloneJson = JSON.readTree(alone.body());
    assertThat(aloneJson.path("status").asText()).isEqualTo("not_ready");
    assertThat(aloneJson.path("broker").asText()).isEqualTo("connected");
    assertThat(aloneJson.path("workers").asInt()).isZero();
    assertThat(aloneJson.path("reason").asText()).contains("no model worker");

    ServiceProcess model = services.mlqueue("model", uri, "model");
    model.awaitLog("model: consuming predict", READY);
    awaitHealth(gateway, 200, 1);
    HttpResponse<String> ready = get(gateway + "/health");
    assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("ready");

    HttpResponse<String> ok =
        post(gateway, "{\"features\": " + Arrays.toString(Dataset.builtIn().features(0)) + "}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    HttpResponse<String> bad = post(gateway, "{\"features\": [1, 2, 3]}");
    assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);

    HttpResponse<String> metrics = get(gateway + "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(requestsTotal(metrics.body(), "ok", "200")).as(metrics.body()).isEqualTo(1.0);
    assertThat(requestsTotal(metrics.body(), "invalid_input", "400")).isEqualTo(1.0);
    assertThat(requestsTotal(metrics.body(), "no_worker", "503")).isEqualTo(0.0);

    // The worker gone, the gateway is not ready again.
    model.stopCleanly();
    awaitHealth(gateway, 503, 0);
    gatewayProcess.stopCleanly();
  }

  // ---- processes ----

  private ServiceProcess startGateway(String name, String uri) throws IOException {
    // Port 0 on loopback: two gateways on one machine, and no port guessed or left exposed.
    return services.mlqueue(
        name, uri, "gateway", "--host", "127.0.0.1", "--port", "0", "--timeout", GATEWAY_TIMEOUT);
  }

  /** The base URL the gateway prints once it listens. */
  private static String gatewayUrl(ServiceProcess gateway) throws InterruptedException {
    gateway.awaitLog("gateway: listening on", READY);
    return find(LISTENING, gateway);
  }

  /** The model's metrics URL (without the path), from its log. */
  private static String metricsUrl(ServiceProcess model) throws InterruptedException {
    model.awaitLog("/metrics, health on", READY);
    return find(METRICS_AT, model);
  }

  private static String find(Pattern pattern, ServiceProcess p) {
    Matcher m = pattern.matcher(p.output());
    assertThat(m.find()).as("%s in the log of %s:%n%s", pattern, p.name(), p.tail(20)).isTrue();
    return m.group(1);
  }

  // ---- HTTP ----

  private HttpResponse<String> post(String gateway, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(gateway + "/v1/predict"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  private HttpResponse<String> get(String url) {
    return send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Until {@code /health} answers {@code status} and counts {@code workers}, at most 10 s. */
  private void awaitHealth(String gateway, int status, int workers) {
    await(gateway + "/health answers " + status + " with " + workers + " workers")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              HttpResponse<String> r = get(gateway + "/health");
              return r.statusCode() == status
                  && JSON.readTree(r.body()).path("workers").asInt() == workers;
            });
  }

  /** Null if {@code r} is the 200 with {@code expected} for {@code row}, else what is wrong. */
  private static String check(HttpResponse<String> r, int row, double expected) throws IOException {
    if (r.statusCode() != 200) {
      return "row " + row + ": HTTP " + r.statusCode() + " " + r.body();
    }
    JsonNode json = JSON.readTree(r.body());
    double prediction = json.path("prediction").asDouble(Double.NaN);
    if (!(Math.abs(prediction - expected) <= TOLERANCE)) {
      return "row "
          + row
          + ": predicted "
          + prediction
          + ", expected "
          + expected
          + " ("
          + r.body()
          + ")";
    }
    if (!"diabetes-ols:builtin".equals(json.path("model").asText())) {
      return "row " + row + ": model " + json.path("model");
    }
    return null;
  }

  // ---- metrics ----

  /** A worker's micro-batches: how many, and how many rows in all. */
  private record BatchRows(long batches, long rows) {}

  private BatchRows batchRows(String metricsUrl) {
    String text = get(metricsUrl + "/metrics").body();
    return new BatchRows(
        (long) sample(text, "mlqueue_model_batch_rows_count"),
        (long) sample(text, "mlqueue_model_batch_rows_sum"));
  }

  /** {@code mlqueue_gateway_requests_total{outcome=…,protocol="v1",status=…}}. */
  private static double requestsTotal(String text, String outcome, String status) {
    for (String line : text.lines().toList()) {
      if (line.startsWith("mlqueue_gateway_requests_total{")
          && line.contains("protocol=\"v1\"")
          && line.contains("outcome=\"" + outcome + "\"")
          && line.contains("status=\"" + status + "\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(
        "no mlqueue_gateway_requests_total{outcome=\""
            + outcome
            + "\",status=\""
            + status
            + "\"} in:\n"
            + text);
  }

  /** The value of the one sample of {@code name}, labels or not. */
  private static double sample(String text, String name) {
    List<String> lines =
        text.lines()
            .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
            .collect(Collectors.toList());
    assertThat(lines).as("samples of %s", name).hasSize(1);
    String line = lines.get(0);
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  /** scikit-learn's predictions for the 442 rows, from the reference file. */
  private static double[] referencePredictions() throws IOException {
    try (InputStream in =
        GatewayIT.class.getResourceAsStream("/reference_linear_regression.json")) {
      JsonNode predictions = JSON.readTree(in).path("full_fit").path("predictions");
      double[] out = new double[predictions.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = predictions.get(i).asDouble();
      }
      return out;
    }
  }
}
