package io.mlqueue.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters on {@code POST /v1/predict}:
 *
 * <ul>
 *   <li>{@code mlqueue_gateway_requests_total{outcome, status}}: requests by outcome ({@code ok} or
 *       the error code) and HTTP status;
 *   <li>{@code mlqueue_gateway_request_duration_seconds{outcome}}: latency as the client sees it,
 *       with a percentile histogram (so p50, p95, p99 come from {@code histogram_quantile}), by
 *       {@code ok}, {@code client_error} or {@code server_error}: a flood of quick 400s must not
 *       hide slow predictions;
 *   <li>{@code mlqueue_gateway_request_instances}: instances per accepted request.
 * </ul>
 */
final class GatewayMetrics {
  static final String REQUESTS = "mlqueue.gateway.requests";
  static final String DURATION = "mlqueue.gateway.request.duration";
  static final String INSTANCES = "mlqueue.gateway.request.instances";

  /** Registered up front so dashboards and alerts see zeros rather than missing series. */
  private static final List<Outcome> KNOWN =
      List.of(
          new Outcome("ok", 200),
          new Outcome(ApiError.INVALID_JSON, 400),
          new Outcome(ApiError.INVALID_REQUEST, 400),
          new Outcome(ApiError.TOO_MANY_INSTANCES, 400),
          new Outcome(ApiError.INVALID_INPUT, 400),
          new Outcome(ApiError.REQUEST_TIMEOUT, 408),
          new Outcome(ApiError.PAYLOAD_TOO_LARGE, 413),
          new Outcome(ApiError.UNSUPPORTED_MEDIA_TYPE, 415),
          new Outcome(ApiError.MODEL_ERROR, 500),
          new Outcome(ApiError.INTERNAL_ERROR, 500),
          new Outcome(ApiError.NO_WORKER, 503),
          new Outcome(ApiError.BROKER_UNAVAILABLE, 503),
          new Outcome(ApiError.SERVICE_UNAVAILABLE, 503),
          new Outcome(ApiError.TIMEOUT, 504));

  private record Outcome(String code, int status) {}

  private final MeterRegistry registry;
  private final ConcurrentMap<Outcome, Counter> requests = new ConcurrentHashMap<>();
  private final Timer ok;
  private final Timer clientError;
  private final Timer serverError;
  private final DistributionSummary instances;

  GatewayMetrics(MeterRegistry registry, GatewayConfig config) {
    this.registry = registry;
    KNOWN.forEach(this::counter);
    // Buckets from 100 µs (the HTTP layer alone answers in well under a millisecond) to past the
    // timeout (every answer comes before it, give or take scheduling).
    Duration max = config.timeout().plusSeconds(1);
    this.ok = timer("ok", max);
    this.clientError = timer("client_error", max);
    this.serverError = timer("server_error", max);
    this.instances =
        DistributionSummary.builder(INSTANCES)
            .description("Instances per accepted prediction request")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue((double) config.maxInstances())
            .register(registry);
  }

  private Timer timer(String outcome, Duration max) {
    return Timer.builder(DURATION)
        .description("Time to answer a prediction request, from routing to the response")
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(max)
        .register(registry);
  }

  private Counter counter(Outcome outcome) {
    return requests.computeIfAbsent(
        outcome,
        o ->
            Counter.builder(REQUESTS)
                .description("Prediction requests by outcome and HTTP status")
                .tag("outcome", o.code())
                .tag("status", Integer.toString(o.status()))
                .register(registry));
  }

  /** One accepted request of {@code n} instances. */
  void instances(int n) {
    instances.record(n);
  }

  /** One answered request; {@code nanos} is negative when it ended before routing. */
  void answered(int status, String code, long nanos) {
    counter(new Outcome(code, status)).increment();
    if (nanos >= 0) {
      Timer t = status < 400 ? ok : status < 500 ? clientError : serverError;
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
