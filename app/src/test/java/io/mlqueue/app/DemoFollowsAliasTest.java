package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlqueue.data.Dataset;
import io.mlqueue.model.StrictJson;
import io.mlqueue.model.Training;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.training.Algorithm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code demo --model registry:NAME@ALIAS} follows the alias as {@code model} does: moving it while
 * the demo runs swaps the model that answers, seen in the gateway's replies.
 */
class DemoFollowsAliasTest {
  @TempDir Path dir;

  @Test
  void movingTheAliasSwapsTheDemosModel() throws Exception {
    Path data = dir.resolve("diabetes.csv");
    try (var in = Dataset.class.getResourceAsStream("diabetes.csv")) {
      Files.copy(in, data);
    }
    ModelRegistry registry = new ModelRegistry(dir.resolve("reg"));
    registry.register("d", Training.fit(data, "target", "d", Clock.systemUTC()), "production");
    registry.register(
        "d", Training.fit(data, "target", "d", new Algorithm.Ridge(10), Clock.systemUTC()), null);

    DemoCommand demo = new DemoCommand();
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(demo)
                    .execute(
                        "--model",
                        "registry:d@production",
                        "--model-poll",
                        "100ms",
                        "--registry",
                        registry.root().toString(),
                        "--rate",
                        "100",
                        "--status-every",
                        "10s",
                        "--gateway-port",
                        "0",
                        "--dashboard-port",
                        "0",
                        "--log-dir",
                        dir.resolve("logs").toString()));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> demo.gatewayUrl != null || run.isDone());
      assertThat(demo.gatewayUrl).as("the demo serves its gateway").isNotNull();
      HttpClient http = HttpClient.newHttpClient();
      String body = "{\"features\": " + Arrays.toString(Dataset.builtIn().features(0)) + "}";
      HttpRequest predict =
          HttpRequest.newBuilder(URI.create(demo.gatewayUrl + "/v1/predict"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      assertThat(model(http, predict)).isEqualTo("d:1");

      registry.setAlias("d", "production", 2);

      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> model(http, predict).equals("d:2"));
    } finally {
      demo.stop();
    }
    assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
  }

  private static String model(HttpClient http, HttpRequest request) throws Exception {
    HttpResponse<String> reply = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    return StrictJson.MAPPER.readTree(reply.body()).get("model").asText();
  }
}
