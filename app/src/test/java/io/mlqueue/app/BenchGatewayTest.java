package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.gateway.FakePredictor;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import org.junit.jupiter.api.Test;

/** {@code mlqueue bench gateway} loads either API of a gateway, briefly. */
class BenchGatewayTest {
  @Test
  void loadsTheV1AndTheV2ApiWithoutAFailedRequest() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (GatewayServer server =
        GatewayServer.start(
            GatewayConfig.defaults().withHost("127.0.0.1").withPort(0),
            new FakePredictor(),
            registry)) {
      for (String api : new String[] {"v1", "v2"}) {
        CommandRun run =
            CommandRun.of(
                "bench",
                "gateway",
                "--url",
                server.url(),
                "--api",
                api,
                "--model",
                "fake",
                "--concurrency",
                "2",
                "--duration",
                "1s",
                "--warmup",
                "200ms");

        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
            .contains(api.equals("v1") ? "/v1/predict" : "/v2/models/fake/infer")
            .contains("req/s")
            .contains("0 failed");
      }
      assertThat(
              registry
                  .get("mlqueue.gateway.requests")
                  .tag("protocol", "v2")
                  .tag("outcome", "ok")
                  .counter()
                  .count())
          .isPositive();
    }
  }

  @Test
  void refusesAnUnknownApi() {
    CommandRun run = CommandRun.of("bench", "gateway", "--api", "v3", "--duration", "1s");

    assertThat(run.exit()).isNotZero();
    assertThat(run.err()).contains("--api must be v1 or v2, got v3");
  }
}
