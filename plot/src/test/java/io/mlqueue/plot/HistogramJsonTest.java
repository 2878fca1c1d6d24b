package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.contract.MetricLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.IntervalXYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/histogram}'s body: the numbers the PNG is drawn from, and nothing made up. */
class HistogramJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant DRAWN = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-03-01T10:00:07Z");

  @TempDir Path dir;

  private final Clock drawClock = Clock.fixed(DRAWN, ZoneOffset.UTC);

  /** A known log: 400 rows with errors 0.0 … 39.9 in a saw-tooth, and one wild prediction. */
  private double[] writeKnownCsv() throws IOException {
    List<String> lines = new ArrayList<>(List.of(MetricLog.HEADER));
    double[] errors = new double[401];
    for (int i = 0; i < 400; i++) {
      double yPred = 150 + (i * 7 % 400) / 10.0;
      MetricLog.Row row = MetricLog.Row.of("r" + i, 150, yPred);
      errors[i] = row.absoluteError();
      lines.add(MetricLog.format(row));
    }
    MetricLog.Row wild = MetricLog.Row.of("wild", 150, 5_150);
    errors[400] = wild.absoluteError();
    lines.add(MetricLog.format(wild));
    Files.write(dir.resolve(MetricLog.FILE_NAME), lines);
    return errors;
  }

  private JsonNode json(PlotService service) throws IOException {
    return MAPPER.readTree(HistogramJson.of(service.latest(), service, NOW));
  }

  @Test
  void binsAndStatsAreThoseOfTheChartDrawnForTheSameCsv() throws IOException {
    double[] errors = writeKnownCsv();
    PlotConfig config = PlotConfig.of(dir).withInterval(Duration.ofMillis(1500));
    try (PlotService service = new PlotService(config, drawClock)) {
      service.drawOnce();
      JsonNode body = json(service);

      // What ErrorHistogram draws for these errors, read back from the chart itself.
      JFreeChart chart = new ErrorHistogram().chart(errors, errors.length);
      IntervalXYDataset bars = (IntervalXYDataset) chart.getXYPlot().getDataset();
      int n = bars.getItemCount(0);
      JsonNode bins = body.path("bins");
      assertThat(bins.path("counts")).hasSize(n);
      assertThat(bins.path("edges")).hasSize(n + 1);
      for (int i = 0; i < n; i++) {
        assertThat(bins.path("edges").get(i).asDouble()).isEqualTo(bars.getStartXValue(0, i));
        assertThat(bins.path("edges").get(i + 1).asDouble()).isEqualTo(bars.getEndXValue(0, i));
        assertThat(bins.path("counts").get(i).asDouble()).isEqualTo(bars.getYValue(0, i));
      }
      assertThat(bins.path("width").asDouble())
          .isEqualTo(bars.getEndXValue(0, 0) - bars.getStartXValue(0, 0));
      // The wild row lies beyond the axis: the chart says so, and so does the JSON.
      assertThat(bins.path("overflow").asInt()).isEqualTo(1);
      assertThat(((TextTitle) chart.getSubtitle(0)).getText()).contains("1 row above");
      int binned = 0;
      for (JsonNode c : bins.path("counts")) {
        binned += c.asInt();
      }
      assertThat(binned + bins.path("overflow").asInt()).isEqualTo(errors.length);

      ErrorStats expected = ErrorStats.of(errors);
      JsonNode stats = body.path("stats");
      assertThat(stats.path("count").asInt()).isEqualTo(401);
      assertThat(stats.path("mae").asDouble()).isEqualTo(expected.mean());
      assertThat(stats.path("median").asDouble()).isEqualTo(expected.median());
      assertThat(stats.path("p25").asDouble()).isEqualTo(expected.q1());
      assertThat(stats.path("p75").asDouble()).isEqualTo(expected.q3());
      assertThat(stats.path("p90").asDouble()).isEqualTo(expected.p90());
      assertThat(stats.path("min").asDouble()).isEqualTo(0.0);
      assertThat(stats.path("max").asDouble()).isEqualTo(5000.0);
      assertThat(chart.getTitle().getText())
          .isEqualTo("Absolute error — n = 401, MAE = " + ChartLabels.format(expected.mean()));

      assertThat(body.path("rows").asInt()).isEqualTo(401);
      assertThat(body.path("updatedAt").asText()).isEqualTo(DRAWN.toString());
      assertThat(body.path("serverTime").asText()).isEqualTo(NOW.toString());
      assertThat(body.path("draw").asLong()).isEqualTo(1);
      assertThat(body.path("intervalMillis").asLong()).isEqualTo(1500);
      assertThat(body.path("running").asBoolean()).isFalse();
      assertThat(body.path("failure").isNull()).isTrue();
    }
  }

  @Test
  void thePngKeptInMemoryIsTheFileWritten() throws IOException {
    writeKnownCsv();
    try (PlotService service = new PlotService(PlotConfig.of(dir), drawClock)) {
      service.drawOnce();

      assertThat(service.latest().orElseThrow().png())
          .isEqualTo(Files.readAllBytes(service.pngPath()));
    }
  }

  @Test
  void beforeTheFirstDrawAndWithoutRowsThereAreNoBinsOrStats() throws IOException {
    try (PlotService service = new PlotService(PlotConfig.of(dir), drawClock)) {
      JsonNode before = json(service);
      assertThat(before.path("rows").asInt()).isZero();
      assertThat(before.path("draw").asLong()).isZero();
      assertThat(before.path("updatedAt").isNull()).isTrue();
      assertThat(before.path("stats").isNull()).isTrue();
      assertThat(before.path("bins").isNull()).isTrue();

      service.drawOnce(); // no CSV yet: the "no data yet" chart
      JsonNode empty = json(service);
      assertThat(empty.path("rows").asInt()).isZero();
      assertThat(empty.path("draw").asLong()).isEqualTo(1);
      assertThat(empty.path("updatedAt").asText()).isEqualTo(DRAWN.toString());
      assertThat(empty.path("stats").isNull()).isTrue();
      assertThat(empty.path("bins").isNull()).isTrue();
    }
  }
}
