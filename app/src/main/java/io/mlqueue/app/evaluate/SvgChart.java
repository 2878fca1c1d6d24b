package io.mlqueue.app.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A small chart drawn as inline SVG: lines, a shaded band, histogram bars, horizontal reference
 * lines, axes with round ticks and a legend. Enough for the report's three plots, with no script
 * and nothing fetched, so the page works offline and from a file.
 */
final class SvgChart {
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 30;
  private static final int BOTTOM = 44;

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final int width;
  private final int height;
  private final List<String> legend = new ArrayList<>();
  private final List<Shape> shapes = new ArrayList<>();
  private double xMin = Double.POSITIVE_INFINITY;
  private double xMax = Double.NEGATIVE_INFINITY;
  private double yMin = Double.POSITIVE_INFINITY;
  private double yMax = Double.NEGATIVE_INFINITY;

  private interface Shape {
    void draw(StringBuilder svg, SvgChart c);
  }

  SvgChart(String title, String xLabel, String yLabel, int width, int height) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.width = width;
    this.height = height;
  }

  private void extend(double[] xs, double[] ys) {
    for (double x : xs) {
      if (Double.isFinite(x)) {
        xMin = Math.min(xMin, x);
        xMax = Math.max(xMax, x);
      }
    }
    for (double y : ys) {
      if (Double.isFinite(y)) {
        yMin = Math.min(yMin, y);
        yMax = Math.max(yMax, y);
      }
    }
  }

  SvgChart line(String name, String color, double[] x, double[] y, boolean dashed) {
    extend(x, y);
    if (!name.isEmpty()) { // an unnamed line continues the legend entry of the one before
      legend.add(legendItem(name, color, dashed ? "stroke-dasharray=\"5 3\"" : ""));
    }
    shapes.add(
        (svg, c) -> {
          svg.append("<polyline fill=\"none\" stroke=\"")
              .append(color)
              .append("\" stroke-width=\"1.6\" ")
              .append(dashed ? "stroke-dasharray=\"5 3\" " : "")
              .append("points=\"");
          for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i])) {
              svg.append(c.px(x[i])).append(',').append(c.py(y[i])).append(' ');
            }
          }
          svg.append("\"/>\n");
        });
    return this;
  }

  SvgChart band(String name, String color, double[] x, double[] lower, double[] upper) {
    extend(x, lower);
    extend(x, upper);
    legend.add(legendItem(name, color, "stroke-width=\"8\" stroke-opacity=\"0.3\""));
    shapes.add(
        (svg, c) -> {
          svg.append("<polygon fill=\"")
              .append(color)
              .append("\" fill-opacity=\"0.25\" stroke=\"none\" points=\"");
          for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(upper[i])) {
              svg.append(c.px(x[i])).append(',').append(c.py(upper[i])).append(' ');
            }
          }
          for (int i = x.length - 1; i >= 0; i--) {
            if (Double.isFinite(lower[i])) {
              svg.append(c.px(x[i])).append(',').append(c.py(lower[i])).append(' ');
            }
          }
          svg.append("\"/>\n");
        });
    return this;
  }

  /** Bars over bins {@code [edges[i], edges[i+1])}. */
  SvgChart bars(String name, String color, double[] edges, double[] heights) {
    extend(edges, heights);
    extend(new double[0], new double[] {0});
    legend.add(legendItem(name, color, "stroke-width=\"8\""));
    shapes.add(
        (svg, c) -> {
          for (int i = 0; i < heights.length; i++) {
            double x0 = c.px(edges[i]);
            double x1 = c.px(edges[i + 1]);
            double y = c.py(heights[i]);
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\"/>%n",
                    x0,
                    y,
                    Math.max(0.5, x1 - x0 - 0.5),
                    c.py(0) - y,
                    color));
          }
        });
    return this;
  }

  SvgChart hline(String name, String color, double y) {
    extend(new double[0], new double[] {y});
    if (name != null) {
      legend.add(legendItem(name, color, "stroke-dasharray=\"2 3\""));
    }
    shapes.add(
        (svg, c) ->
            svg.append(
                String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"2 3\"/>%n",
                    LEFT,
                    c.width - RIGHT,
                    c.py(y),
                    c.py(y),
                    color)));
    return this;
  }

  private static String legendItem(String name, String color, String style) {
    return name + "\u0000" + color + "\u0000" + style;
  }

  private double px(double x) {
    double span = xMax - xMin;
    return LEFT + (span == 0 ? 0.5 : (x - xMin) / span) * (width - LEFT - RIGHT);
  }

  private double py(double y) {
    double span = yMax - yMin;
    return height - BOTTOM - (span == 0 ? 0.5 : (y - yMin) / span) * (height - TOP - BOTTOM);
  }

  String render(DoubleFunction<String> xTick, DoubleFunction<String> yTick) {
    if (!(xMin <= xMax)) {
      xMin = 0;
      xMax = 1;
    }
    if (!(yMin <= yMax)) {
      yMin = 0;
      yMax = 1;
    }
    double[] xt = ticks(xMin, xMax);
    double[] yt = ticks(yMin, yMax);
    yMin = Math.min(yMin, yt[0]);
    yMax = Math.max(yMax, yt[yt.length - 1]);
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">%n",
            width,
            height,
            width,
            height,
            HtmlReport.esc(title)));
    svg.append("<title>").append(HtmlReport.esc(title)).append("</title>\n");
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"18\" class=\"t\">%s</text>%n",
            LEFT,
            HtmlReport.esc(title)));
    for (double y : yt) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"g\"/><text x=\"%d\" y=\"%.1f\" class=\"yt\">%s</text>%n",
              LEFT,
              width - RIGHT,
              py(y),
              py(y),
              LEFT - 6,
              py(y) + 4,
              HtmlReport.esc(yTick.apply(y))));
    }
    for (double x : xt) {
      if (x >= xMin && x <= xMax) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"a\"/><text x=\"%.1f\" y=\"%d\" class=\"xt\">%s</text>%n",
                px(x),
                px(x),
                height - BOTTOM,
                height - BOTTOM + 4,
                px(x),
                height - BOTTOM + 16,
                HtmlReport.esc(xTick.apply(x))));
      }
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"a\"/>%n",
            LEFT,
            width - RIGHT,
            height - BOTTOM,
            height - BOTTOM));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" class=\"xl\">%s</text>%n",
            (LEFT + width - RIGHT) / 2,
            height - 8,
            HtmlReport.esc(xLabel)));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text transform=\"translate(14 %d) rotate(-90)\" class=\"xl\">%s</text>%n",
            (TOP + height - BOTTOM) / 2,
            HtmlReport.esc(yLabel)));
    for (Shape s : shapes) {
      s.draw(svg, this);
    }
    // The legend in one row at the title's height, from the right edge leftwards: never over data.
    int lx = width - RIGHT;
    for (String item : legend) {
      String[] p = item.split("\u0000", -1);
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"18\" class=\"lg\">%s</text><line x1=\"%d\" x2=\"%d\" y1=\"14\" y2=\"14\" stroke=\"%s\" stroke-width=\"2\" %s/>%n",
              lx,
              HtmlReport.esc(p[0]),
              lx - 7 * p[0].length() - 26,
              lx - 7 * p[0].length() - 8,
              p[1],
              p[2]));
      lx -= 7 * p[0].length() + 40;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** Round tick positions (1, 2 or 5 times a power of ten) covering {@code [lo, hi]}. */
  static double[] ticks(double lo, double hi) {
    if (hi == lo) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    double raw = (hi - lo) / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step =
        raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    double first = Math.floor(lo / step) * step;
    int count = (int) Math.ceil((hi - first) / step - 1e-9) + 1;
    double[] t = new double[Math.max(2, count)];
    for (int i = 0; i < t.length; i++) {
      t[i] = first + i * step;
    }
    return t;
  }
}
