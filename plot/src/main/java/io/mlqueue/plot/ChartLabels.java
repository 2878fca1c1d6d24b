package io.mlqueue.plot;

import java.math.BigDecimal;
import java.math.MathContext;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.Locale;
import org.jfree.chart.axis.NumberTickUnit;

/**
 * Number formats for the chart's text. Always US symbols, so the image reads the same whatever the
 * machine's locale (a container often has none, a developer's laptop a comma decimal separator).
 */
final class ChartLabels {

  private ChartLabels() {}

  /** A row count with thousands separators, independent of the machine's locale: {@code 1,234}. */
  static String formatCount(int count) {
    return String.format(Locale.US, "%,d", count);
  }

  /**
   * A bin width, which is a round number by construction: {@code 5}, {@code 2.5}, {@code 0.025}.
   */
  static String formatStep(double width) {
    return BigDecimal.valueOf(width).stripTrailingZeros().toPlainString();
  }

  /**
   * An error value for a label: two decimals from 1 up ({@code 43.37}, {@code 1,234.50}), three
   * significant digits below ({@code 0.0123}), since scaled targets give errors far below 1.
   */
  static String format(double value) {
    if (value == 0 || !Double.isFinite(value)) {
      return value == 0 ? "0" : String.valueOf(value);
    }
    if (Math.abs(value) >= 1) {
      return new DecimalFormat("#,##0.00", DecimalFormatSymbols.getInstance(Locale.US))
          .format(value);
    }
    return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /**
   * Ticks for the error axis, about {@code raw} apart. The caller aims at one label per 90 px:
   * JFreeChart's own choice packs ticks as tightly as the labels allow, a wall of numbers.
   */
  static NumberTickUnit valueTickUnit(double raw) {
    double step = HistogramBins.niceStep(raw);
    NumberFormat format = NumberFormat.getNumberInstance(Locale.US);
    // Enough decimals for the step itself (0.25 needs two); the format drops trailing zeros.
    format.setMaximumFractionDigits(Math.max(0, (int) Math.ceil(-Math.log10(step)) + 1));
    return new NumberTickUnit(step, format);
  }

  /** Whole-number ticks for the count axis, about {@code raw} apart. */
  static NumberTickUnit countTickUnit(double raw) {
    double step = HistogramBins.niceStep(Math.max(1, raw));
    step = Math.floor(step); // counts are whole: 2.5 becomes 2
    return new NumberTickUnit(step, NumberFormat.getIntegerInstance(Locale.US));
  }
}
