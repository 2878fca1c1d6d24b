package io.mlqueue.app.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelsServedTest {
  @Test
  void readsTheInfoSeriesOfAScrapeAndNothingElse() {
    String scrape =
        """
        # HELP mlqueue_model_info 1, tagged with the id (name:version) of the model served now and its role
        # TYPE mlqueue_model_info gauge
        mlqueue_model_info{application="mlqueue",model="price:2",role="champion",service="model"} 1.0
        mlqueue_model_info{model="price:3",role="challenger"} 1.0
        mlqueue_model_info{model="old:1",role="champion"} 0.0
        mlqueue_model_version{service="model"} 2.0
        """;
    assertThat(ModelsServed.parse(scrape))
        .containsExactly(
            new ModelsServed.Served("price:2", "champion"),
            new ModelsServed.Served("price:3", "challenger"));
    assertThat(ModelsServed.parse("mlqueue_model_version 2.0\n")).isEmpty();
  }

  @Test
  void theMetricsBesideAHealthEndpoint() {
    assertThat(ModelsServed.metricsUrl("http://h:9100/health")).isEqualTo("http://h:9100/metrics");
    assertThat(ModelsServed.metricsUrl("http://h:9100/ready")).isNull();
  }
}
