package io.mlqueue.plot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mlqueue.stats.compare.TTest;
import io.mlqueue.stats.cost.CostModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The dashboard's {@code GET /api/models}: each model's quality and cost over the windows kept
 * ({@link ModelWindows}), as JSON (format in docs/MONITORING.md).
 *
 * <pre>{@code
 * {"available":true, "start":"…Z", "serverTime":"…Z", "windowSeconds":10, "windows":60,
 *  "costUnit":"EUR",
 *  "models":[{"model":"diabetes:1", "rows":5000, "cost":123.0,
 *             "span":{"count":…,"mae":…,"rmse":…,"r2":…,"costPerThousand":…,"rowsPerSecond":…},
 *             "count":[…], "mae":[…], "rmse":[…], "r2":[…], "costPerThousand":[…],
 *             "rowsPerSecond":[…]}],
 *  "comparisons":[{"from":"diabetes:1", "to":"diabetes:2", "pairs":600, "confidence":0.95,
 *                  "maeDifference":{"estimate":…,"lower":…,"upper":…},
 *                  "savingPerThousand":{"estimate":…,"lower":…,"upper":…}}]}
 * }</pre>
 *
 * Arrays hold one entry per window, oldest first; a figure a window cannot have (no rows, R² of one
 * row) is {@code null}. {@code costUnit}, {@code costPerThousand} and {@code savingPerThousand} are
 * {@code null} without a cost file. {@code available} is false while {@code model_log.csv} does not
 * exist.
 */
final class ModelWindowsJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private ModelWindowsJson() {}

  static byte[] of(ModelWindows.Timeline t, Optional<CostModel> cost, boolean available) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeBooleanField("available", available);
      json.writeStringField("start", t.start().toString());
      json.writeStringField("serverTime", t.now().toString());
      json.writeNumberField("windowSeconds", t.width().toMillis() / 1000.0);
      int n = windowsOf(t);
      json.writeNumberField("windows", n);
      json.writeStringField("costUnit", cost.map(CostModel::unit).orElse(null));
      json.writeArrayFieldStart("models");
      for (ModelWindows.Series s : t.models()) {
        json.writeStartObject();
        json.writeStringField("model", s.model());
        json.writeNumberField("rows", s.rows());
        number(json, "cost", cost.isPresent() ? s.cost() : Double.NaN);
        json.writeObjectFieldStart("span");
        figures(json, s.span(), cost.isPresent(), spanSeconds(t, n));
        json.writeEndObject();
        List<WindowSums.Figures> w = s.windows();
        json.writeArrayFieldStart("count");
        for (WindowSums.Figures f : w) {
          json.writeNumber(f.count());
        }
        json.writeEndArray();
        array(json, "mae", w, WindowSums.Figures::mae);
        array(json, "rmse", w, WindowSums.Figures::rmse);
        array(json, "r2", w, WindowSums.Figures::r2);
        array(json, "costPerThousand", w, f -> cost.isPresent() ? f.costPerThousand() : Double.NaN);
        json.writeArrayFieldStart("rowsPerSecond");
        for (int i = 0; i < w.size(); i++) {
          number(json, w.get(i).count() / t.seconds(i));
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeArrayFieldStart("comparisons");
      for (ModelWindows.Comparison c : t.comparisons()) {
        json.writeStartObject();
        json.writeStringField("from", c.from());
        json.writeStringField("to", c.to());
        json.writeNumberField("pairs", c.pairs());
        json.writeNumberField("confidence", ModelWindows.CONFIDENCE);
        interval(json, "maeDifference", c.absoluteError(), 1);
        interval(json, "savingPerThousand", c.cost(), 1_000);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("JSON into memory failed", e); // cannot happen
    }
    return out.toByteArray();
  }

  private static int windowsOf(ModelWindows.Timeline t) {
    long span = t.now().toEpochMilli() - t.start().toEpochMilli();
    return (int) (span / t.width().toMillis()) + 1;
  }

  private static double spanSeconds(ModelWindows.Timeline t, int n) {
    double seconds = 0;
    for (int i = 0; i < n; i++) {
      seconds += t.seconds(i);
    }
    return seconds;
  }

  private static void figures(
      JsonGenerator json, WindowSums.Figures f, boolean costed, double seconds) throws IOException {
    json.writeNumberField("count", f.count());
    number(json, "mae", f.mae());
    number(json, "rmse", f.rmse());
    number(json, "r2", f.r2());
    number(json, "costPerThousand", costed ? f.costPerThousand() : Double.NaN);
    number(json, "rowsPerSecond", f.count() / seconds);
  }

  private static void array(
      JsonGenerator json,
      String name,
      List<WindowSums.Figures> windows,
      ToDoubleFunction<WindowSums.Figures> value)
      throws IOException {
    json.writeArrayFieldStart(name);
    for (WindowSums.Figures f : windows) {
      number(json, value.applyAsDouble(f));
    }
    json.writeEndArray();
  }

  private static void interval(JsonGenerator json, String name, Optional<TTest> test, double scale)
      throws IOException {
    if (test.isEmpty()) {
      json.writeNullField(name);
      return;
    }
    json.writeObjectFieldStart(name);
    number(json, "estimate", test.get().meanDifference() * scale);
    number(json, "lower", test.get().lower() * scale);
    number(json, "upper", test.get().upper() * scale);
    json.writeEndObject();
  }

  private static void number(JsonGenerator json, String name, double v) throws IOException {
    json.writeFieldName(name);
    number(json, v);
  }

  private static void number(JsonGenerator json, double v) throws IOException {
    if (Double.isFinite(v)) {
      json.writeNumber(v);
    } else {
      json.writeNull();
    }
  }
}
