package io.mlqueue.app.evaluate;

import io.mlqueue.stats.compare.ConfidenceSequence;
import io.mlqueue.stats.compare.ErrorSummary;
import io.mlqueue.stats.compare.PairedComparison;
import io.mlqueue.stats.compare.UnpairedComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code evaluate}'s plain-text report. */
final class TextReport {
  private TextReport() {}

  static String render(Evaluation e, Optional<PromotionOutcome> promotion) {
    StringBuilder out = new StringBuilder();
    LogWindow w = e.window();
    out.append("model log ")
        .append(w.file())
        .append(": ")
        .append(w.rows().size())
        .append(" rows in ")
        .append(window(w))
        .append(" (")
        .append(w.rowsRead())
        .append(" read");
    if (w.duplicates() > 0) {
      out.append(", ").append(w.duplicates()).append(" duplicate (id, model) rows dropped");
    }
    if (w.tornTail()) {
      out.append(", an incomplete last line left out");
    }
    out.append(")\n");
    String unit = e.cost().map(c -> c.unit()).orElse("");
    List<String[]> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("MODEL", "N", "MAE", "RMSE", "R2"));
    for (double p : ErrorSummary.DEFAULT_QUANTILES) {
      header.add("P" + Figures.num(100 * p) + "|ERR|");
    }
    if (e.cost().isPresent()) {
      header.add("COST/1000 " + unit);
    }
    rows.add(header.toArray(String[]::new));
    for (Evaluation.ModelReport m : e.models()) {
      List<String> r = new ArrayList<>(List.of(m.model(), String.valueOf(m.n())));
      if (m.errors().isPresent()) {
        ErrorSummary s = m.errors().get();
        r.add(Figures.interval(s.mae()));
        r.add(Figures.interval(s.rmse()));
        r.add(Figures.interval(s.r2()));
        s.quantiles().forEach(q -> r.add(Figures.interval(q.interval())));
      } else {
        while (r.size() < header.size() - (e.cost().isPresent() ? 1 : 0)) {
          r.add("-");
        }
      }
      m.costPerThousand().ifPresent(c -> r.add(Figures.interval(c)));
      while (r.size() < header.size()) {
        r.add("-");
      }
      rows.add(r.toArray(String[]::new));
    }
    out.append('\n');
    columns(rows, out);
    if (e.champion().isPresent()) {
      out.append("\nchampion ")
          .append(e.champion().get())
          .append(", challenger ")
          .append(e.challenger().get())
          .append("; differences are champion − challenger (positive: the challenger is better)\n");
      e.paired()
          .ifPresentOrElse(
              p -> paired(p, unit, out),
              () -> out.append("paired (shared ids): fewer than 2 ids answered by both\n"));
      e.unpaired().ifPresent(u -> unpaired(u, unit, out));
    } else if (e.models().size() > 1) {
      out.append("\nname --champion and --challenger to compare two of these models\n");
    }
    promotion.ifPresent(p -> out.append('\n').append(p.summary()).append('\n'));
    out.append("\nmethods: ").append(Figures.methods(e.settings())).append('\n');
    return out.toString();
  }

  private static void paired(Evaluation.Paired p, String unit, StringBuilder out) {
    PairedComparison abs = p.absoluteError();
    out.append("paired on ")
        .append(abs.n())
        .append(" shared ids")
        .append(abs.conclusive() ? "" : " (below the minimum sample: inconclusive)")
        .append(":\n");
    line(out, "  MAE difference", abs, 1);
    line(out, "  MSE difference", p.squaredError(), 1);
    p.cost().ifPresent(c -> line(out, "  saving per 1,000 predictions (" + unit + ")", c, 1000));
  }

  private static void line(StringBuilder out, String label, PairedComparison c, double scale) {
    ConfidenceSequence.Bound b = c.sequenceNow();
    out.append(label)
        .append(": ")
        .append(Figures.interval(c.difference().scaled(scale)))
        .append(" (")
        .append(c.difference().method())
        .append("); always-valid [")
        .append(Figures.num(b.lower() * scale))
        .append(", ")
        .append(Figures.num(b.upper() * scale))
        .append("]; paired t = ")
        .append(Figures.num(c.pairedT().t()))
        .append(", p ")
        .append(Figures.p(c.pairedT().pValue()))
        .append("; Wilcoxon p ")
        .append(Figures.p(c.wilcoxon().pValue()))
        .append('\n');
  }

  private static void unpaired(Evaluation.Unpaired u, String unit, StringBuilder out) {
    UnpairedComparison abs = u.absoluteError();
    out.append("unpaired (ids answered by one model: ")
        .append(abs.baselineN())
        .append(" champion, ")
        .append(abs.candidateN())
        .append(" challenger)")
        .append(abs.conclusive() ? "" : " (below the minimum sample: inconclusive)")
        .append(":\n");
    unpairedLine(out, "  MAE difference", abs, 1);
    u.cost()
        .ifPresent(
            c -> unpairedLine(out, "  saving per 1,000 predictions (" + unit + ")", c, 1000));
  }

  private static void unpairedLine(
      StringBuilder out, String label, UnpairedComparison c, double scale) {
    ConfidenceSequence.Bound b = c.sequenceNow();
    out.append(label)
        .append(": ")
        .append(Figures.interval(c.difference().scaled(scale)))
        .append(" (")
        .append(c.difference().method())
        .append("); always-valid [")
        .append(Figures.num(b.lower() * scale))
        .append(", ")
        .append(Figures.num(b.upper() * scale))
        .append("]; Welch t = ")
        .append(Figures.num(c.welch().t()))
        .append(", p ")
        .append(Figures.p(c.welch().pValue()))
        .append("; Mann–Whitney p ")
        .append(Figures.p(c.mannWhitney().pValue()))
        .append('\n');
  }

  static String window(LogWindow w) {
    return "["
        + (w.since() == null ? "start" : w.since().toString())
        + ", "
        + (w.until() == null ? "end" : w.until().toString())
        + ")";
  }

  private static void columns(List<String[]> rows, StringBuilder out) {
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(String.format("%-" + (width[i] + 2) + "s", r[i]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
