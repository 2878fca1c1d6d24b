package io.mlqueue.plot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

/**
 * The dashboard's {@code GET /api/histogram}: the numbers of the last chart drawn, as JSON.
 *
 * <pre>{@code
 * {"rows":1498, "updatedAt":"2026-…Z", "serverTime":"2026-…Z", "draw":12,
 *  "running":true, "intervalMillis":2000, "failure":null,
 *  "stats":{"count":1498,"mae":43.9,"median":37.2,"p25":…,"p75":…,"p90":…,"min":…,"max":…},
 *  "bins":{"width":10.0,"edges":[0.0,10.0,…],"counts":[212,…],"overflow":0}}
 * }</pre>
 *
 * {@code edges} has one more entry than {@code counts}: bin {@code i} is {@code [edges[i],
 * edges[i+1])}. {@code stats} and {@code bins} are {@code null} while there are no rows, {@code
 * updatedAt} also before the first draw. {@code serverTime} lets the page judge staleness by the
 * server's clock rather than the browser's.
 */
final class HistogramJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private HistogramJson() {}

  /**
   * The JSON of {@code snapshot} (empty before the first draw) as the service sees it at {@code
   * now}.
   */
  static byte[] of(Optional<PlotSnapshot> snapshot, PlotService service, Instant now) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("rows", snapshot.map(PlotSnapshot::rows).orElse(0));
      json.writeStringField("updatedAt", snapshot.map(s -> s.drawnAt().toString()).orElse(null));
      json.writeStringField("serverTime", now.toString());
      json.writeNumberField("draw", snapshot.map(PlotSnapshot::number).orElse(0L));
      json.writeBooleanField("running", service.isRunning());
      json.writeNumberField("intervalMillis", service.config().interval().toMillis());
      json.writeStringField("failure", service.failure().orElse(null));
      BinnedErrors binned = snapshot.map(PlotSnapshot::binned).orElse(BinnedErrors.EMPTY);
      if (binned.isEmpty()) {
        json.writeNullField("stats");
        json.writeNullField("bins");
      } else {
        writeStats(json, binned.stats());
        writeBins(json, binned.bins());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("JSON into memory failed", e); // cannot happen
    }
    return out.toByteArray();
  }

  private static void writeStats(JsonGenerator json, ErrorStats stats) throws IOException {
    json.writeObjectFieldStart("stats");
    json.writeNumberField("count", stats.count());
    json.writeNumberField("mae", stats.mean());
    json.writeNumberField("median", stats.median());
    json.writeNumberField("p25", stats.q1());
    json.writeNumberField("p75", stats.q3());
    json.writeNumberField("p90", stats.p90());
    json.writeNumberField("min", stats.min());
    json.writeNumberField("max", stats.max());
    json.writeEndObject();
  }

  private static void writeBins(JsonGenerator json, HistogramBins bins) throws IOException {
    json.writeObjectFieldStart("bins");
    json.writeNumberField("width", bins.width());
    json.writeArrayFieldStart("edges");
    for (int i = 0; i < bins.size(); i++) {
      json.writeNumber(bins.start(i));
    }
    json.writeNumber(bins.end(bins.size() - 1));
    json.writeEndArray();
    json.writeArrayFieldStart("counts");
    for (int count : bins.counts()) {
      json.writeNumber(count);
    }
    json.writeEndArray();
    json.writeNumberField("overflow", bins.overflow());
    json.writeEndObject();
  }
}
