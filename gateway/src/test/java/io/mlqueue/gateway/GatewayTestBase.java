package io.mlqueue.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * One gateway on an ephemeral port per test class, over a {@link FakePredictor} reset before each
 * test: small limits, so the tests can reach them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GatewayTestBase {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final int MAX_INSTANCES = 5;
  static final int MAX_BODY = 4096;

  final FakePredictor predictor = new FakePredictor();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  GatewayServer server;
  GatewayClient client;

  @BeforeAll
  void start() {
    GatewayConfig config =
        GatewayConfig.defaults()
            .withPort(0)
            .withTimeout(TIMEOUT)
            .withMaxInstances(MAX_INSTANCES)
            .withMaxBodyBytes(MAX_BODY);
    server = GatewayServer.start(config, predictor, registry);
    client = new GatewayClient(server.url());
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @BeforeEach
  void reset() {
    predictor.reset();
  }

  static List<Double> doubles(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asDouble).toList();
  }

  static <T> List<T> list(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  static JsonNode json(String text) {
    try {
      return GatewayClient.JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON body of a raw HTTP response. */
  static JsonNode jsonBody(String response) {
    return json(response.substring(response.indexOf("\r\n\r\n") + 4));
  }
}
