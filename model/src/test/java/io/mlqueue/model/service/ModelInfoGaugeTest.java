package io.mlqueue.model.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlqueue.model.LinearModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelInfoGaugeTest {
  private static LinearModel model(String version, String... features) {
    return new LinearModel(
        "price", version, List.of(features), "y", 0, new double[features.length], null);
  }

  private static List<String> shown(SimpleMeterRegistry registry, String role) {
    return registry.find(ModelInfoGauge.NAME).tag("role", role).gauges().stream()
        .peek(g -> assertThat(g.value()).isEqualTo(1.0))
        .map(g -> g.getId().getTag("model"))
        .toList();
  }

  @Test
  void namesTheModelServedNowAndFollowsASwapButNotARefusal() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (LiveModel live = new LiveModel(model("1", "a", "b"));
        LiveModel challenger = new LiveModel(model("7", "a", "b"))) {
      ModelInfoGauge.bind(registry, "champion", live);
      ModelInfoGauge.bind(registry, "challenger", challenger);
      assertThat(shown(registry, "champion")).containsExactly("price:1");
      assertThat(shown(registry, "challenger")).containsExactly("price:7");

      assertThat(live.swap(model("2", "a", "b"))).isEmpty();
      assertThat(shown(registry, "champion")).containsExactly("price:2");
      assertThat(live.swap(model("3", "c", "d"))).isPresent(); // reads other features: refused
      assertThat(shown(registry, "champion")).containsExactly("price:2");
      assertThat(shown(registry, "challenger")).containsExactly("price:7");
      assertThat(registry.find(ModelInfoGauge.NAME).gauges()).hasSize(2);
      assertThat(registry.find(ModelInfoGauge.NAME).gauges())
          .extracting(Gauge::value)
          .containsOnly(1.0);
    }
  }
}
