package io.mlqueue.app.evaluate;

import io.mlqueue.stats.bootstrap.Interval;
import io.mlqueue.stats.compare.Settings;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as the reports print them. */
final class Figures {
  private Figures() {}

  /** Four significant digits, plain. */
  static String num(double x) {
    if (Double.isNaN(x)) {
      return "-";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "∞" : "-∞";
    }
    double a = Math.abs(x);
    if (a != 0 && (a < 1e-4 || a >= 1e7)) {
      return String.format(Locale.ROOT, "%.3e", x);
    }
    return new BigDecimal(x).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** {@code 41.83 [34.08, 52.07]}. */
  static String interval(Interval i) {
    return num(i.estimate()) + " [" + num(i.lower()) + ", " + num(i.upper()) + "]";
  }

  /** A p-value: {@code < 0.0001} below that, else four decimals. */
  static String p(double p) {
    return p < 1e-4 ? "< 0.0001" : String.format(Locale.ROOT, "%.4f", p);
  }

  /** The defaults paragraph every report states. */
  static String methods(Settings s) {
    return String.format(
        Locale.ROOT,
        "α = %s: intervals are %s%% two-sided. Per-model intervals and differences: BCa bootstrap"
            + " (Efron 1987; SciPy's conventions), %d resamples, seed %d. Paired tests: paired t and"
            + " Wilcoxon signed-rank (zeros dropped, ties averaged; exact up to 50 pairs). Unpaired:"
            + " Welch's t and Mann–Whitney U (normal approximation, tie-corrected). Always-valid:"
            + " the asymptotic confidence sequence of Waudby-Smith et al. (2024, Thm 2.2), tightest"
            + " at %d pairs, valid at every look. No verdict below %d pairs (or rows per model).",
        num(s.alpha()),
        num(100 * s.confidence()),
        s.resamples(),
        s.seed(),
        s.sequenceTunedFor(),
        s.minimumPairs());
  }
}
