package io.mlqueue.app.evaluate;

import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.compare.ConfidenceSequence;
import io.mlqueue.stats.compare.ErrorSummary;
import io.mlqueue.stats.compare.PairedComparison;
import io.mlqueue.stats.compare.UnpairedComparison;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * {@code evaluate --html FILE}: the report as one self-contained page — styles inline, charts as
 * inline SVG drawn here, no script, nothing fetched — so it opens offline, from a file, and can be
 * kept as evidence.
 */
final class HtmlReport {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private HtmlReport() {}

  static String render(Evaluation e, Optional<PromotionOutcome> promotion) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>mlqueue evaluation</title>\n<style>\n")
        .append(
            "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 12px}\n")
        .append(
            "table{border-collapse:collapse;margin:8px 0 16px;display:block;overflow-x:auto}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}\n")
        .append("td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:13px}\n")
        .append(
            ".verdict{padding:10px 14px;border-radius:6px;background:#f3f3f3;white-space:pre-wrap}.holds{background:#e4f4e4}\n")
        .append(
            "svg{max-width:100%;height:auto;margin:8px 0}svg .t{font-weight:600;font-size:13px}")
        .append(
            "svg .g{stroke:#eee}svg .a{stroke:#888}svg .yt{text-anchor:end;font-size:11px;fill:#444}")
        .append(
            "svg .xt{text-anchor:middle;font-size:11px;fill:#444}svg .xl{text-anchor:middle;font-size:12px;fill:#333}")
        .append("svg .lg{text-anchor:end;font-size:11px;fill:#333}\n")
        .append(".panels{display:flex;flex-wrap:wrap;gap:8px}\n</style></head><body>\n");
    h.append("<h1>Model evaluation</h1>\n");
    LogWindow w = e.window();
    h.append("<p>")
        .append(esc(w.file().getFileName().toString()))
        .append(": ")
        .append(w.rows().size())
        .append(" rows logged in ")
        .append(esc(TextReport.window(w)))
        .append(" (")
        .append(w.rowsRead())
        .append(" read")
        .append(
            w.duplicates() > 0 ? ", " + w.duplicates() + " duplicate (id, model) rows dropped" : "")
        .append(w.tornTail() ? ", an incomplete last line left out" : "")
        .append(").</p>\n");
    promotion.ifPresent(
        p ->
            h.append("<h2>Decision</h2>\n<p class=\"verdict")
                .append(p.decision().holds() ? " holds" : "")
                .append("\">")
                .append(esc(p.summary()))
                .append("</p>\n"));
    String unit = e.cost().map(c -> c.unit()).orElse("");
    modelTable(h, e, unit);
    e.champion().ifPresent(champion -> comparisons(h, e, unit));
    charts(h, e, promotion);
    h.append("<h2>Methods and defaults</h2>\n<p class=\"note\">")
        .append(esc(Figures.methods(e.settings())))
        .append(" Differences are champion − challenger: positive means the challenger is better.");
    e.cost()
        .ifPresent(
            c ->
                h.append(" Cost: ")
                    .append(esc(Figures.num(c.underPrediction())))
                    .append(' ')
                    .append(esc(c.unit()))
                    .append(" per unit of under-prediction, ")
                    .append(esc(Figures.num(c.overPrediction())))
                    .append(" per unit of over-prediction, ")
                    .append(c.bands().size())
                    .append(" band(s)."));
    h.append("</p>\n</body></html>\n");
    return h.toString();
  }

  private static void modelTable(StringBuilder h, Evaluation e, String unit) {
    h.append(
        "<h2>Models</h2>\n<table><tr><th>model</th><th>n</th><th>MAE</th><th>RMSE</th><th>R²</th>");
    for (double p : ErrorSummary.DEFAULT_QUANTILES) {
      h.append("<th>p").append(Figures.num(100 * p)).append(" |error|</th>");
    }
    if (e.cost().isPresent()) {
      h.append("<th>cost / 1,000 (").append(esc(unit)).append(")</th>");
    }
    h.append("</tr>\n");
    for (Evaluation.ModelReport m : e.models()) {
      h.append("<tr><td>").append(esc(m.model())).append("</td><td>").append(m.n()).append("</td>");
      if (m.errors().isPresent()) {
        ErrorSummary s = m.errors().get();
        cell(h, s.mae());
        cell(h, s.rmse());
        cell(h, s.r2());
        s.quantiles().forEach(q -> cell(h, q.interval()));
      } else {
        h.append("<td>-</td>".repeat(3 + ErrorSummary.DEFAULT_QUANTILES.size()));
      }
      if (e.cost().isPresent()) {
        m.costPerThousand().ifPresentOrElse(c -> cell(h, c), () -> h.append("<td>-</td>"));
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n<p class=\"note\">Each figure with its ")
        .append(Figures.num(100 * e.settings().confidence()))
        .append("% BCa bootstrap interval.</p>\n");
  }

  private static void cell(StringBuilder h, Interval i) {
    h.append("<td>").append(esc(Figures.interval(i))).append("</td>");
  }

  private static void comparisons(StringBuilder h, Evaluation e, String unit) {
    h.append("<h2>Champion ")
        .append(esc(e.champion().get()))
        .append(" vs challenger ")
        .append(esc(e.challenger().get()))
        .append("</h2>\n");
    e.paired()
        .ifPresentOrElse(
            p -> {
              h.append("<p>Paired on ")
                  .append(p.absoluteError().n())
                  .append(" ids both answered")
                  .append(
                      p.absoluteError().conclusive()
                          ? ""
                          : " — below the minimum sample: inconclusive")
                  .append(".</p>\n")
                  .append(
                      "<table><tr><th>difference</th><th>estimate [interval]</th><th>always-valid</th><th>paired t (p)</th><th>Wilcoxon (p)</th></tr>\n");
              pairedRow(h, "MAE", p.absoluteError(), 1);
              pairedRow(h, "MSE", p.squaredError(), 1);
              p.cost().ifPresent(c -> pairedRow(h, "saving / 1,000 (" + unit + ")", c, 1000));
              h.append("</table>\n");
            },
            () -> h.append("<p>No ids answered by both models: no paired comparison.</p>\n"));
    e.unpaired()
        .ifPresent(
            u -> {
              h.append("<p>Unpaired on ids answered by one model only (")
                  .append(u.absoluteError().baselineN())
                  .append(" champion, ")
                  .append(u.absoluteError().candidateN())
                  .append(" challenger)")
                  .append(
                      u.absoluteError().conclusive()
                          ? ""
                          : " — below the minimum sample: inconclusive")
                  .append(".</p>\n")
                  .append(
                      "<table><tr><th>difference</th><th>estimate [interval]</th><th>always-valid</th><th>Welch t (p)</th><th>Mann–Whitney (p)</th></tr>\n");
              unpairedRow(h, "MAE", u.absoluteError(), 1);
              u.cost().ifPresent(c -> unpairedRow(h, "saving / 1,000 (" + unit + ")", c, 1000));
              h.append("</table>\n");
            });
  }

  private static void pairedRow(StringBuilder h, String label, PairedComparison c, double scale) {
    ConfidenceSequence.Bound b = c.sequenceNow();
    h.append("<tr><td>").append(esc(label)).append("</td>");
    cell(h, c.difference().scaled(scale));
    h.append("<td>[")
        .append(esc(Figures.num(b.lower() * scale)))
        .append(", ")
        .append(esc(Figures.num(b.upper() * scale)))
        .append("]</td><td>")
        .append(esc(Figures.num(c.pairedT().t())))
        .append(" (")
        .append(esc(Figures.p(c.pairedT().pValue())))
        .append(")</td><td>")
        .append(esc(Figures.num(c.wilcoxon().statistic())))
        .append(" (")
        .append(esc(Figures.p(c.wilcoxon().pValue())))
        .append(")</td></tr>\n");
  }

  private static void unpairedRow(
      StringBuilder h, String label, UnpairedComparison c, double scale) {
    ConfidenceSequence.Bound b = c.sequenceNow();
    h.append("<tr><td>").append(esc(label)).append("</td>");
    cell(h, c.difference().scaled(scale));
    h.append("<td>[")
        .append(esc(Figures.num(b.lower() * scale)))
        .append(", ")
        .append(esc(Figures.num(b.upper() * scale)))
        .append("]</td><td>")
        .append(esc(Figures.num(c.welch().t())))
        .append(" (")
        .append(esc(Figures.p(c.welch().pValue())))
        .append(")</td><td>")
        .append(esc(Figures.num(c.mannWhitney().u1())))
        .append(" (")
        .append(esc(Figures.p(c.mannWhitney().pValue())))
        .append(")</td></tr>\n");
  }

  private static void charts(StringBuilder h, Evaluation e, Optional<PromotionOutcome> promotion) {
    List<Evaluation.ModelReport> shown = new ArrayList<>();
    if (e.champion().isPresent()) {
      shown.add(e.model(e.champion().get()).orElseThrow());
      shown.add(e.model(e.challenger().get()).orElseThrow());
    } else {
      e.models().stream().limit(COLORS.length).forEach(shown::add);
    }
    if (shown.isEmpty()) {
      return;
    }
    h.append("<h2>Error distributions</h2>\n<div class=\"panels\">\n");
    double[] range = errorRange(shown);
    int bins = 30;
    double[] edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = range[0] + (range[1] - range[0]) * i / bins;
    }
    for (int k = 0; k < shown.size(); k++) {
      Evaluation.ModelReport m = shown.get(k);
      double[] share = new double[bins];
      for (double v : m.signedErrors()) {
        int b = (int) Math.floor((v - range[0]) / (range[1] - range[0]) * bins);
        share[Math.max(0, Math.min(bins - 1, b))] +=
            1.0 / m.n(); // the outermost bins hold the tails
      }
      h.append(
          new SvgChart(
                  m.model() + " (n = " + m.n() + ")", "y_pred − y_true", "share of rows", 480, 260)
              .bars(m.model(), COLORS[k % COLORS.length], edges, share)
              .render(Figures::num, Figures::num));
    }
    h.append("</div>\n");

    String what =
        e.cost().isPresent()
            ? "cumulative cost (" + e.cost().get().unit() + ")"
            : "cumulative absolute error";
    h.append("<h2>")
        .append(esc(what.substring(0, 1).toUpperCase() + what.substring(1)))
        .append(" over time</h2>\n");
    SvgChart cumulative = new SvgChart(what + " by model", "time (UTC)", what, 960, 320);
    for (int k = 0; k < shown.size(); k++) {
      List<Evaluation.TimePoint> pts = shown.get(k).cumulative();
      cumulative.line(
          shown.get(k).model(),
          COLORS[k % COLORS.length],
          pts.stream().mapToDouble(Evaluation.TimePoint::epochMillis).toArray(),
          pts.stream().mapToDouble(Evaluation.TimePoint::value).toArray(),
          false);
    }
    h.append(cumulative.render(x -> TIME.format(Instant.ofEpochMilli((long) x)), Figures::num));

    if (e.paired().isPresent()) {
      Evaluation.Paired p = e.paired().get();
      boolean saving = p.cost().isPresent();
      sequenceChart(
          h,
          e,
          promotion,
          (saving ? p.cost().get() : p.absoluteError()).sequence(),
          saving,
          "pairs",
          "at every number of pairs");
    } else if (e.unpaired().isPresent()) {
      // A canary: the two-sample sequence over both models' rows as they were labelled.
      Evaluation.Unpaired u = e.unpaired().get();
      boolean saving = u.cost().isPresent();
      sequenceChart(
          h,
          e,
          promotion,
          (saving ? u.cost().get() : u.absoluteError()).sequence(),
          saving,
          "rows of both models (unpaired)",
          "at every number of rows");
    }
  }

  private static void sequenceChart(
      StringBuilder h,
      Evaluation e,
      Optional<PromotionOutcome> promotion,
      List<ConfidenceSequence.Bound> seq,
      boolean saving,
      String xLabel,
      String atEvery) {
    double scale = saving ? 1000 : 1;
    String label = saving ? "saving per 1,000 predictions" : "MAE difference";
    h.append("<h2>Confidence sequence of the ")
        .append(esc(label))
        .append("</h2>\n")
        .append("<p class=\"note\">The band holds the true difference ")
        .append(esc(atEvery))
        .append(" at once with probability ")
        .append(Figures.num(100 * e.settings().confidence()))
        .append(
            "%, so it may be watched as labels arrive; the dashed lines are the fixed-sample interval, valid only at one look chosen in advance.</p>\n");
    double z =
        new NormalDistribution(null, 0, 1)
            .inverseCumulativeProbability(1 - e.settings().alpha() / 2);
    double[] n = seq.stream().mapToDouble(ConfidenceSequence.Bound::n).toArray();
    double[] lo = seq.stream().mapToDouble(b -> b.lower() * scale).toArray();
    double[] hi = seq.stream().mapToDouble(b -> b.upper() * scale).toArray();
    double[] mean = seq.stream().mapToDouble(b -> b.mean() * scale).toArray();
    double[] fixedLo =
        seq.stream().mapToDouble(b -> (b.mean() - z * b.sd() / Math.sqrt(b.n())) * scale).toArray();
    double[] fixedHi =
        seq.stream().mapToDouble(b -> (b.mean() + z * b.sd() / Math.sqrt(b.n())) * scale).toArray();
    // The first few points give a band so wide it would flatten the rest: start the plot at 10.
    int from = 0;
    while (from < n.length - 2 && n[from] < 10) {
      from++;
    }
    SvgChart chart =
        new SvgChart(label + " (champion − challenger)", xLabel, label, 960, 340)
            .band(
                "always-valid " + Figures.num(100 * e.settings().confidence()) + "%",
                "#1f77b4",
                tail(n, from),
                tail(lo, from),
                tail(hi, from))
            .line("fixed-sample interval", "#555", tail(n, from), tail(fixedLo, from), true)
            .line("", "#555", tail(n, from), tail(fixedHi, from), true)
            .line("estimate", "#1f77b4", tail(n, from), tail(mean, from), false)
            .hline("0", "#000", 0);
    promotion
        .filter(pr -> pr.rule().metric().scale() == scale && pr.rule().lowerBoundAbove() != 0)
        .ifPresent(pr -> chart.hline("rule's bound", "#2ca02c", pr.rule().lowerBoundAbove()));
    h.append(chart.render(Figures::num, Figures::num));
  }

  private static double[] tail(double[] a, int from) {
    return Arrays.copyOfRange(a, from, a.length);
  }

  /**
   * The 0.5th to 99.5th percentile of the signed errors of all models shown: tails go to the edge
   * bins.
   */
  private static double[] errorRange(List<Evaluation.ModelReport> models) {
    double[] all =
        models.stream().flatMapToDouble(m -> Arrays.stream(m.signedErrors())).sorted().toArray();
    double lo = io.mlqueue.stats.errors.Quantiles.ofSorted(all, 0.005);
    double hi = io.mlqueue.stats.errors.Quantiles.ofSorted(all, 0.995);
    if (hi <= lo) {
      hi = lo + 1;
    }
    return new double[] {lo, hi};
  }

  /** Escapes text for HTML and SVG. */
  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
