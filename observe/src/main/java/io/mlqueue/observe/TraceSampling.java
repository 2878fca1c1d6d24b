package io.mlqueue.observe;

import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Which traces a service records: OpenTelemetry's standard sampler settings, read as its SDK
 * configuration specifies them ({@value #SAMPLER_ENV}, {@value #SAMPLER_ARG_ENV}), or a share given
 * on the command line.
 *
 * <p>Why parent-based by default: a trace starts in one service ({@code features}, or the gateway
 * for a client without trace context) and continues in others; only the first may decide, and the
 * rest must follow the sampled flag its {@code traceparent} carries, or the traces that reach the
 * collector would be missing their middle. With a share of 10 %, tracing costs about a tenth of
 * what it costs at 100 % (docs/MONITORING.md), and every trace kept is whole.
 */
public final class TraceSampling {
  /** OpenTelemetry's variable naming the sampler. */
  public static final String SAMPLER_ENV = "OTEL_TRACES_SAMPLER";

  /** OpenTelemetry's variable giving the sampler's argument: the share for the ratio samplers. */
  public static final String SAMPLER_ARG_ENV = "OTEL_TRACES_SAMPLER_ARG";

  private TraceSampling() {}

  /**
   * The sampler: {@code ratio} (the command line's share of new traces, 0 to 1) when present, as
   * {@code parentbased_traceidratio}; else the one {@code environment} names; else OpenTelemetry's
   * default, {@code parentbased_always_on}.
   *
   * @throws IllegalArgumentException naming the setting, when a share is outside [0, 1] or is no
   *     number, or the sampler is one this service does not know
   */
  public static Sampler sampler(OptionalDouble ratio, Map<String, String> environment) {
    if (ratio.isPresent()) {
      return Sampler.parentBased(
          Sampler.traceIdRatioBased(share(ratio.getAsDouble(), "--trace-sample-ratio")));
    }
    String name = environment.getOrDefault(SAMPLER_ENV, "").strip().toLowerCase(Locale.ROOT);
    String arg = environment.getOrDefault(SAMPLER_ARG_ENV, "").strip();
    return switch (name) {
      case "", "parentbased_always_on" -> Sampler.parentBased(Sampler.alwaysOn());
      case "always_on" -> Sampler.alwaysOn();
      case "always_off" -> Sampler.alwaysOff();
      case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
      case "traceidratio" -> Sampler.traceIdRatioBased(envShare(arg));
      case "parentbased_traceidratio" ->
          Sampler.parentBased(Sampler.traceIdRatioBased(envShare(arg)));
      default ->
          throw new IllegalArgumentException(
              SAMPLER_ENV
                  + "="
                  + environment.get(SAMPLER_ENV)
                  + " is not a sampler mlqueue knows; use always_on, always_off, traceidratio,"
                  + " parentbased_always_on (the default), parentbased_always_off or"
                  + " parentbased_traceidratio");
    };
  }

  /** The ratio samplers' argument: 1.0 when unset, as OpenTelemetry's configuration has it. */
  private static double envShare(String arg) {
    if (arg.isEmpty()) {
      return 1.0;
    }
    try {
      return share(Double.parseDouble(arg), SAMPLER_ARG_ENV);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          SAMPLER_ARG_ENV + "=" + arg + " is not a number; give the share of traces, 0 to 1", e);
    }
  }

  private static double share(double value, String setting) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          setting + " must be a share of traces from 0 to 1, was " + value);
    }
    return value;
  }
}
