package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.MessageTracer;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.BuiltInModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.observe.Tracing;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces on a real RabbitMQ, whose client hands header strings back as bytes and whose replies come
 * on direct reply-to ({@code amq.rabbitmq.reply-to}): the context survives both, one trace per pair
 * and per gateway call. The span structure in detail is {@code TracesEndToEndTest}'s.
 */
class TracesIT {
  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeInReverse() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private AmqpSettings traced(String service) {
    Tracing tracing = Tracing.of(service, SimpleSpanProcessor.create(spans));
    open.add(tracing);
    return AmqpSettings.of(rabbit.uri()).withTracer(MessageTracer.of(tracing.openTelemetry()));
  }

  @Test
  void aPairAndAGatewayCallAreOneTraceEach(@TempDir Path logDir) throws Exception {
    Connection connection = rabbit.connect();
    open.add(ModelService.start(connection, traced("model"), BuiltInModel.get()));
    MetricService metric =
        MetricService.start(
            connection, traced("metric"), MetricService.Config.of(logDir), Clock.systemUTC());
    open.add(metric);
    new FeaturesService(
            new FeaturesConfig(Dataset.builtIn(), 1, Pace.UNLIMITED, OptionalLong.of(1), 64),
            traced("features"),
            connection,
            Clock.systemUTC(),
            FeaturesService.Listener.NO_OP)
        .run(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> metric.rowsWritten() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() == 7);
    Map<String, SpanData> pair = oneTrace();
    assertThat(pair.get("process y_pred").getParentSpanId())
        .isEqualTo(pair.get("publish y_pred").getSpanId());
    assertThat(pair.get("process features").getParentSpanId())
        .isEqualTo(pair.get("publish features").getSpanId());
    assertThat(pair.get("process y_true").getParentSpanId())
        .isEqualTo(pair.get("publish y_true").getSpanId());
    spans.reset();

    AmqpPredictor predictor =
        AmqpPredictor.start(rabbit.connect(), traced("gateway"), new SimpleMeterRegistry());
    open.add(predictor);
    await().atMost(Duration.ofSeconds(5)).until(() -> predictor.readiness().ready());
    PredictRequest request =
        PredictRequest.positional(
            MessageId.random(), new double[][] {Dataset.builtIn().features(0)});
    PredictReply reply = predictor.predict(request, Duration.ofSeconds(5)).get();
    assertThat(reply).isInstanceOf(PredictReply.Predictions.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() == 4);
    Map<String, SpanData> call = oneTrace();
    SpanData back = call.get("process (temporary)");
    assertThat(back.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(back.getParentSpanId()).isEqualTo(call.get("publish (temporary)").getSpanId());
    assertThat(call.get("process predict").getParentSpanId())
        .isEqualTo(call.get("publish predict").getSpanId());
    assertThat(
            back.getAttributes()
                .get(
                    io.opentelemetry.api.common.AttributeKey.stringKey(
                        "messaging.destination.name")))
        .startsWith("amq.rabbitmq.reply-to");
  }

  /** The finished spans, all of one trace, by name. */
  private Map<String, SpanData> oneTrace() {
    List<SpanData> finished = spans.getFinishedSpanItems();
    assertThat(finished.stream().map(SpanData::getTraceId).distinct()).hasSize(1);
    return finished.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
  }
}
