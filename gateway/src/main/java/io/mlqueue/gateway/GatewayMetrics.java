package io.mlqueue.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's meters on its prediction routes ({@code POST /v1/predict} and the V2 API's {@code
 * POST /v2/models/…/infer}), each labelled {@code protocol="v1"} or {@code "v2"}:
 *
 * <ul>
 *   <li>{@code mlqueue_gateway_requests_total{protocol, outcome, status}}: requests by outcome
 *       ({@code ok} or the error code) and HTTP status;
 *   <li>{@code mlqueue_gateway_request_duration_seconds{protocol, outcome}}: latency as the client
 *       sees it, with a percentile histogram (so p50, p95, p99 come from {@code
 *       histogram_quantile}), by {@code ok}, {@code client_error} or {@code server_error}: a flood
 *       of quick 400s must not hide slow predictions;
 *   <li>{@code mlqueue_gateway_request_instances{protocol}}: instances per accepted request.
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
          new Outcome(ApiError.UNAUTHORIZED, 401),
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
          new Outcome(ApiError.BROKER_BLOCKED, 503),
          new Outcome(ApiError.SERVICE_UNAVAILABLE, 503),
          new Outcome(ApiError.TIMEOUT, 504));

  /** Only the V2 API answers these. */
  private static final List<Outcome> KNOWN_V2 =
      List.of(new Outcome(ApiError.MODEL_NOT_FOUND, 404), new Outcome(ApiError.MODEL_CHANGED, 503));

  private record Outcome(Protocol protocol, String code, int status) {
    Outcome(String code, int status) {
      this(null, code, status);
    }

    Outcome in(Protocol p) {
      return new Outcome(p, code, status);
    }
  }

  /** The timers and the instance count of one protocol. */
  private record Meters(
      Timer ok, Timer clientError, Timer serverError, DistributionSummary instances) {}

  private final MeterRegistry registry;
  private final ConcurrentMap<Outcome, Counter> requests = new ConcurrentHashMap<>();
  private final Map<Protocol, Meters> meters = new EnumMap<>(Protocol.class);

  GatewayMetrics(MeterRegistry registry, GatewayConfig config) {
    this.registry = registry;
    for (Protocol p : Protocol.values()) {
      KNOWN.forEach(o -> counter(o.in(p)));
    }
    KNOWN_V2.forEach(o -> counter(o.in(Protocol.V2)));
    // Buckets from 100 µs (the HTTP layer alone answers in well under a millisecond) to past the
    // timeout (every answer comes before it, give or take scheduling).
    Duration max = config.timeout().plusSeconds(1);
    for (Protocol p : Protocol.values()) {
      DistributionSummary instances =
          DistributionSummary.builder(INSTANCES)
              .description("Instances per accepted prediction request")
              .tag("protocol", p.label())
              .publishPercentileHistogram()
              .minimumExpectedValue(1.0)
              .maximumExpectedValue((double) config.maxInstances())
              .register(registry);
      meters.put(
          p,
          new Meters(
              timer(p, "ok", max),
              timer(p, "client_error", max),
              timer(p, "server_error", max),
              instances));
    }
  }

  private Timer timer(Protocol protocol, String outcome, Duration max) {
    return Timer.builder(DURATION)
        .description("Time to answer a prediction request, from routing to the response")
        .tag("protocol", protocol.label())
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
                .description("Prediction requests by protocol, outcome and HTTP status")
                .tag("protocol", o.protocol().label())
                .tag("outcome", o.code())
                .tag("status", Integer.toString(o.status()))
                .register(registry));
  }

  /** One accepted request of {@code n} instances. */
  void instances(Protocol protocol, int n) {
    meters.get(protocol).instances().record(n);
  }

  /** One answered request; {@code nanos} is negative when it ended before routing. */
  void answered(Protocol protocol, int status, String code, long nanos) {
    counter(new Outcome(protocol, code, status)).increment();
    if (nanos >= 0) {
      Meters m = meters.get(protocol);
      Timer t = status < 400 ? m.ok() : status < 500 ? m.clientError() : m.serverError();
      t.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
