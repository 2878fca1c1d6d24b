package io.mlqueue.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.app.evaluate.Evaluation;
import io.mlqueue.app.evaluate.LogWindow;
import io.mlqueue.app.evaluate.PromotionWatch;
import io.mlqueue.contract.ModelLog;
import io.mlqueue.contract.Queues;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.registry.AliasFollower;
import io.mlqueue.model.registry.ModelReference;
import io.mlqueue.model.registry.ModelRegistry;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.model.service.Shadow;
import io.mlqueue.stats.compare.PromotionRule;
import io.mlqueue.stats.compare.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live promotion end to end on the real RabbitMQ: features, a model worker serving {@code
 * diabetes@production} with {@code diabetes@staging} in shadow, metric writing both logs, and the
 * promotion rule checked every second as {@code promote --watch} checks it. A worse challenger is
 * shown worse and never promoted; a better one is promoted, the workers swap, the evidence is
 * stored, and every pair sent ends as exactly one champion row.
 *
 * <p>The weak model is least squares trained on three of the ten columns ({@link
 * ChampionAndChallenger}).
 */
class LivePromotionIT {
  private static final int PAIRS = 6_000;
  private static final Map<String, Object> RULE =
      Map.of(
          "model",
          "diabetes",
          "alias",
          "production",
          "metric",
          "mae_difference",
          "min_pairs",
          500,
          "sequential",
          true,
          "alpha",
          0.05);

  @RegisterExtension final RabbitMqVhost rabbit = new RabbitMqVhost();
  @TempDir Path dir;

  @Test
  void aWorseChallengerInShadowIsShownWorseAndNeverPromoted() throws Exception {
    ModelRegistry registry = registry(/* production: */ false);
    try (Pipeline p = new Pipeline(registry)) {
      int looks = 0;
      while (!p.featuresDone()) {
        assertThat(p.watch.check().moved()).isFalse();
        looks++;
        Thread.sleep(1_000);
      }
      p.awaitAllRows();
      // No alias moved: every id has its champion's and its challenger's row.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ModelLog.read(p.modelLog()).rows().size() == 2 * PAIRS);
      assertThat(p.watch.check().moved()).isFalse();
      assertThat(looks).as("the rule was checked while traffic flowed").isGreaterThan(1);
      assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(1);
      assertThat(evidence(registry, 2)).isEmpty();
      // Shown worse: the always-valid interval of MAE(champion) − MAE(challenger) is below 0.
      Evaluation e =
          Evaluation.compute(
              LogWindow.read(p.modelLog(), null, null),
              Optional.of("diabetes:1"),
              Optional.of("diabetes:2"),
              Optional.empty(),
              new Settings(0.05, 200, 1, 500, 500));
      assertThat(e.paired().orElseThrow().absoluteError().sequenceNow().upper()).isNegative();
    }
  }

  @Test
  void aBetterChallengerIsPromotedTheWorkersSwapAndNoMessageIsLost() throws Exception {
    ModelRegistry registry = registry(/* production: */ true);
    try (Pipeline p = new Pipeline(registry)) {
      PromotionWatch.Look moved = null;
      while (moved == null && !p.featuresDone()) {
        PromotionWatch.Look look = p.watch.check();
        if (look.moved()) {
          moved = look;
        }
        Thread.sleep(1_000);
      }
      assertThat(moved).as("promoted before the traffic ended").isNotNull();
      System.out.println("LivePromotionIT: " + moved.summary());
      assertThat(registry.alias("diabetes", "production").getAsInt()).isEqualTo(2);
      assertThat(registry.alias("diabetes", "staging").getAsInt()).isEqualTo(1);
      assertThat(evidence(registry, 2))
          .singleElement()
          .satisfies(d -> assertThat(d.resolve("evidence.json")).exists());
      // The workers follow their aliases: the champion is now version 2, the shadow version 1.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  p.champion.current().id().equals("diabetes:2")
                      && p.challenger.current().id().equals("diabetes:1"));
      p.awaitAllRows();
      // The two aliases are followed independently: for the few messages predicted between the
      // champion's swap and the shadow's, both answers came from version 2 and the id has one row
      // in the model log (one per id and model). Every other id has two.
      LogWindow log = LogWindow.read(p.modelLog(), null, null);
      assertThat(log.duplicates()).isZero();
      assertThat(log.rows().stream().map(ModelLog.Row::id).distinct()).hasSize(PAIRS);
      assertThat(log.rows()).hasSizeBetween(2 * PAIRS - 1_000, 2 * PAIRS);
      assertThat(Evaluation.modelsIn(log)).containsExactlyInAnyOrder("diabetes:1", "diabetes:2");
    }
  }

  private ModelRegistry registry(boolean weakChampion) throws Exception {
    return ChampionAndChallenger.registry(dir, weakChampion);
  }

  private static List<Path> evidence(ModelRegistry registry, int version) throws Exception {
    return ChampionAndChallenger.evidence(registry, version);
  }

  /** The services of one run, in this JVM, on the test's vhost. */
  private final class Pipeline implements AutoCloseable {
    final LiveModel champion;
    final LiveModel challenger;
    final PromotionWatch watch;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final ModelService model;
    private final MetricService metric;
    private final Thread sender;
    private volatile long sent = -1;

    Pipeline(ModelRegistry registry) throws Exception {
      AmqpSettings settings = AmqpSettings.of(rabbit.uri());
      Connection modelConnection = add(BrokerConnector.connect(settings, "model"));
      Connection metricConnection = add(BrokerConnector.connect(settings, "metric"));
      Connection featuresConnection = add(BrokerConnector.connect(settings, "features"));
      champion =
          add(
              new LiveModel(
                  registry.load("diabetes", registry.alias("diabetes", "production").getAsInt())));
      challenger =
          add(
              new LiveModel(
                  registry.load("diabetes", registry.alias("diabetes", "staging").getAsInt())));
      add(
          AliasFollower.start(
              registry,
              ModelReference.parse("registry:diabetes@production"),
              champion,
              Duration.ofMillis(300)));
      add(
          AliasFollower.start(
              registry,
              ModelReference.parse("registry:diabetes@staging"),
              challenger,
              Duration.ofMillis(300)));
      metric =
          MetricService.start(
              metricConnection,
              settings,
              MetricService.Config.of(dir)
                  .withStatusEvery(Duration.ZERO)
                  .withPerModel(
                      MetricService.PerModelLog.on(
                          Duration.ofMinutes(5), (t, q) -> 0, (q, m) -> {})),
              Clock.systemUTC());
      open.add(metric);
      model =
          ModelService.start(
              modelConnection,
              settings,
              champion,
              Shadow.of(challenger),
              ModelService.Config.defaults());
      open.add(model);
      PromotionRule rule = PromotionRule.fromTree(RULE, "rule");
      watch =
          new PromotionWatch(
              modelLog(),
              rule,
              Optional.of(rule),
              Optional.empty(),
              Optional.empty(),
              Optional.of("staging"),
              200,
              registry,
              Clock.systemUTC());
      FeaturesService features =
          new FeaturesService(
              new FeaturesConfig(
                  Dataset.builtIn(),
                  PAIRS,
                  Pace.rate(300),
                  OptionalLong.of(3),
                  FeaturesConfig.DEFAULT_WINDOW),
              settings,
              featuresConnection,
              Clock.systemUTC(),
              FeaturesService.Listener.NO_OP);
      sender =
          Thread.ofPlatform()
              .name("features")
              .start(
                  () -> {
                    try {
                      sent = features.run(Duration.ofSeconds(30));
                    } catch (Exception e) {
                      sent = -2;
                    }
                  });
    }

    private <T extends AutoCloseable> T add(T resource) {
      open.add(resource);
      return resource;
    }

    boolean featuresDone() {
      return !sender.isAlive();
    }

    Path modelLog() {
      return dir.resolve(ModelLog.FILE_NAME);
    }

    /** Every pair sent is one champion row, and every queue is settled. */
    void awaitAllRows() throws Exception {
      sender.join(Duration.ofMinutes(2));
      assertThat(sent).as("pairs features sent").isEqualTo(PAIRS);
      CsvCheck.awaitExactRows(
          dir.resolve("metric_log.csv"), PAIRS, Duration.ofSeconds(60), () -> "metric_log.csv");
      rabbit.awaitEmpty(
          Duration.ofSeconds(30),
          Queues.FEATURES,
          Queues.Y_TRUE,
          Queues.Y_PRED,
          Queues.Y_PRED_SHADOW);
      assertThat(CsvCheck.rows(dir.resolve("metric_log.csv"))).hasSize(PAIRS);
      CsvCheck.assertDistinctIds(CsvCheck.rows(dir.resolve("metric_log.csv")));
    }

    @Override
    public void close() {
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception e) {
          // the rest still closes
        }
      }
    }
  }
}
