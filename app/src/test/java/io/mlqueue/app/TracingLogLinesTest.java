package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import io.mlqueue.amqp.MessageSpan;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Log lines about a traced message carry its id and trace id, in JSON and in text; other lines
 * carry nothing more than before. And where {@code --otlp-endpoint} comes from.
 */
class TracingLogLinesTest {
  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

  @Test
  void jsonLinesCarryTheMdcFields() {
    String line =
        encode("json", Map.of(MessageSpan.TRACE_ID, TRACE, MessageSpan.MESSAGE_ID, "m-1"));
    assertThat(line)
        .contains("\"mdc\"")
        .contains("\"trace_id\":\"" + TRACE + "\"")
        .contains("\"message_id\":\"m-1\"");
  }

  @Test
  void textLinesEndWithTheIdsOnlyWhenThereAreAny() {
    assertThat(encode("text", Map.of(MessageSpan.TRACE_ID, TRACE, MessageSpan.MESSAGE_ID, "m-1")))
        .endsWith(
            "dead-lettered [message_id=m-1] [trace_id=" + TRACE + "]" + System.lineSeparator());
    assertThat(encode("text", Map.of()))
        .endsWith("INFO  test - dead-lettered" + System.lineSeparator());
  }

  @Test
  void theEndpointComesFromTheOptionElseFromOpenTelemetrysVariable() {
    TracingOptions options = new TracingOptions();
    Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
    assertThat(options.endpoint(Map.of())).isEmpty();
    assertThat(options.endpoint(env)).contains("http://collector:4318");
    options.endpoint = "http://other:4318";
    assertThat(options.endpoint(env)).contains("http://other:4318");
  }

  @Test
  void theSampleRatioComesFromTheOptionElseFromOpenTelemetrysVariables() {
    TracingOptions options = new TracingOptions();
    Map<String, String> env =
        Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.2");
    assertThat(options.sampler(Map.of()))
        .isEqualTo(
            io.opentelemetry.sdk.trace.samplers.Sampler.parentBased(
                io.opentelemetry.sdk.trace.samplers.Sampler.alwaysOn()));
    assertThat(options.sampler(env))
        .isEqualTo(io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(0.2));
    options.sampleRatio = 0.05;
    assertThat(options.sampler(env))
        .isEqualTo(
            io.opentelemetry.sdk.trace.samplers.Sampler.parentBased(
                io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(0.05)));
  }

  private static String encode(String format, Map<String, String> mdc) {
    LoggerContext context = new LoggerContext();
    Encoder<ILoggingEvent> encoder = LogConfiguration.encoder(context, format);
    LoggingEvent event = new LoggingEvent();
    event.setLoggerName("test");
    event.setLevel(Level.INFO);
    event.setMessage("dead-lettered");
    event.setThreadName("main");
    event.setTimeStamp(0);
    event.setMDCPropertyMap(mdc);
    event.setLoggerContext(context);
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }
}
