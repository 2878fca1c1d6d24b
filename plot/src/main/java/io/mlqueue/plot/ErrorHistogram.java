package io.mlqueue.plot;

import static io.mlqueue.plot.ChartLabels.countTickUnit;
import static io.mlqueue.plot.ChartLabels.format;
import static io.mlqueue.plot.ChartLabels.formatCount;
import static io.mlqueue.plot.ChartLabels.formatStep;
import static io.mlqueue.plot.ChartLabels.valueTickUnit;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYTitleAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.block.ColumnArrangement;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultIntervalXYDataset;

/**
 * Draws the histogram of absolute errors as a PNG: bars by {@link HistogramBins}, dashed lines at
 * the mean (the MAE) and the median with their values in the legend, and the row count and MAE in
 * the title. An empty sample gives a "no data yet" chart, so a viewer always has an image to show.
 *
 * <p>Stateless and thread-safe; the default size ({@value #DEFAULT_WIDTH}x{@value #DEFAULT_HEIGHT})
 * is meant to be read as is, without scaling.
 */
public final class ErrorHistogram {

  /** Default image width in pixels. */
  public static final int DEFAULT_WIDTH = 900;

  /** Default image height in pixels. */
  public static final int DEFAULT_HEIGHT = 600;

  // A colour-blind-safe palette; mean and median also differ by dash pattern for greyscale prints.
  private static final Color BAR = new Color(0x4C78A8);
  private static final Color MEAN = new Color(0xE45756);
  private static final Color MEDIAN = new Color(0x2F2F2F);
  private static final Color TEXT = new Color(0x222222);
  private static final Color MUTED = new Color(0x666666);
  private static final Color GRID = new Color(0xE3E3E3);
  private static final Stroke MEAN_STROKE = dashed(2.2f, 9f, 5f);
  private static final Stroke MEDIAN_STROKE = dashed(2.2f, 3f, 4f);
  private static final String FONT = Font.SANS_SERIF;
  private static final String X_LABEL = "Absolute error |y_true − y_pred|";
  private static final String Y_LABEL = "Rows";

  private final int width;
  private final int height;

  /** A histogram of the default size. */
  public ErrorHistogram() {
    this(DEFAULT_WIDTH, DEFAULT_HEIGHT);
  }

  /** A histogram of {@code width} x {@code height} pixels. */
  public ErrorHistogram(int width, int height) {
    checkSize(width, height);
    this.width = width;
    this.height = height;
  }

  static void checkSize(int width, int height) {
    // Below this the titles and legend no longer fit; above, a typo would allocate gigabytes.
    if (width < 300 || height < 200 || width > 10_000 || height > 10_000) {
      throw new IllegalArgumentException(
          "image size " + width + "x" + height + " outside 300x200 .. 10000x10000");
    }
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The PNG of the histogram of all of {@code errors}. */
  public byte[] renderPng(double... errors) {
    return renderPng(errors, errors.length);
  }

  /** The PNG of the histogram of the first {@code count} entries of {@code errors}. */
  public byte[] renderPng(double[] errors, int count) {
    return renderPng(BinnedErrors.of(errors, count));
  }

  /** The PNG of the chart of {@code binned}. */
  byte[] renderPng(BinnedErrors binned) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      ImageIO.write(
          chart(binned).createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null),
          "png",
          out);
    } catch (IOException e) {
      throw new UncheckedIOException("PNG encoding failed", e); // in-memory stream: cannot happen
    }
    return out.toByteArray();
  }

  /**
   * Renders the first {@code count} entries of {@code errors} and replaces {@code target}
   * atomically, so a viewer polling the file never reads a half-written image.
   */
  public void writePng(double[] errors, int count, Path target) throws IOException {
    AtomicFiles.write(target, renderPng(errors, count));
  }

  /** The chart drawn on an opaque RGB image of this histogram's size. */
  public BufferedImage renderImage(double[] errors, int count) {
    return chart(errors, count)
        .createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null);
  }

  /** The chart of the first {@code count} entries of {@code errors}; the array is not modified. */
  public JFreeChart chart(double[] errors, int count) {
    return chart(BinnedErrors.of(errors, count));
  }

  /** The chart of {@code binned}: its bins as bars, its statistics as markers and text. */
  JFreeChart chart(BinnedErrors binned) {
    if (binned.isEmpty()) {
      return emptyChart();
    }
    ErrorStats stats = binned.stats();
    HistogramBins bins = binned.bins();

    DefaultIntervalXYDataset dataset = new DefaultIntervalXYDataset();
    dataset.addSeries("errors", seriesOf(bins));
    XYPlot plot = basePlot(dataset);
    double from = bins.start(0);
    double to = bins.end(bins.size() - 1);
    NumberAxis x = (NumberAxis) plot.getDomainAxis();
    x.setRange(from, to);
    x.setTickUnit(valueTickUnit((to - from) / Math.max(4, width / 90)), false, true);
    NumberAxis y = (NumberAxis) plot.getRangeAxis();
    y.setTickUnit(countTickUnit((double) bins.maxCount() / Math.max(3, height / 100)), false, true);
    plot.addDomainMarker(marker(stats.mean(), MEAN, MEAN_STROKE), Layer.FOREGROUND);
    plot.addDomainMarker(marker(stats.median(), MEDIAN, MEDIAN_STROKE), Layer.FOREGROUND);

    LegendItemCollection legend = new LegendItemCollection();
    Rectangle2D square = new Rectangle2D.Double(-6, -6, 12, 12);
    String barLabel = "Rows per bin (width " + formatStep(bins.width()) + ")";
    legend.add(new LegendItem(barLabel, null, null, null, square, BAR));
    legend.add(lineItem("Mean (MAE) = " + format(stats.mean()), MEAN, MEAN_STROKE));
    legend.add(lineItem("Median = " + format(stats.median()), MEDIAN, MEDIAN_STROKE));
    plot.setFixedLegendItems(legend);
    plot.addAnnotation(legendInside(plot));

    String title =
        String.format(
            "Absolute error — n = %s, MAE = %s", formatCount(stats.count()), format(stats.mean()));
    JFreeChart chart = titled(plot, title);
    String summary =
        String.format(
            "p25 %s  ·  p75 %s  ·  p90 %s  ·  max %s",
            format(stats.q1()), format(stats.q3()), format(stats.p90()), format(stats.max()));
    if (bins.overflow() > 0) {
      summary +=
          String.format(
              "  ·  %s %s above %s not shown",
              formatCount(bins.overflow()),
              bins.overflow() == 1 ? "row" : "rows",
              format(bins.end(bins.size() - 1)));
    }
    chart.addSubtitle(subtitle(summary));
    return chart;
  }

  private JFreeChart emptyChart() {
    XYPlot plot = basePlot(new DefaultIntervalXYDataset());
    plot.setNoDataMessage("No data yet — waiting for rows in metric_log.csv");
    plot.setNoDataMessageFont(new Font(FONT, Font.PLAIN, 18));
    plot.setNoDataMessagePaint(MUTED);
    // Tick labels on an arbitrary 0..1 range would suggest numbers that do not exist.
    for (var axis :
        new NumberAxis[] {(NumberAxis) plot.getDomainAxis(), (NumberAxis) plot.getRangeAxis()}) {
      axis.setTickLabelsVisible(false);
      axis.setTickMarksVisible(false);
    }
    plot.setRangeGridlinesVisible(false);
    JFreeChart chart = titled(plot, "Absolute error — no data yet");
    chart.addSubtitle(subtitle("The chart refreshes as the metric service logs predictions"));
    return chart;
  }

  private static XYPlot basePlot(DefaultIntervalXYDataset dataset) {
    NumberAxis x = axis(X_LABEL);
    x.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.US));
    NumberAxis y = axis(Y_LABEL);
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.US));
    y.setAutoRangeIncludesZero(true); // bar heights are only comparable from a zero baseline
    // Head-room above the tallest bar keeps it clear of the legend box in the top-right corner.
    y.setUpperMargin(0.12);

    XYBarRenderer bars = new XYBarRenderer(0);
    bars.setBarPainter(new StandardXYBarPainter());
    bars.setShadowVisible(false);
    bars.setSeriesPaint(0, BAR);
    bars.setDrawBarOutline(true);
    bars.setSeriesOutlinePaint(0, Color.WHITE);
    bars.setSeriesOutlineStroke(0, new BasicStroke(0.8f));

    XYPlot plot = new XYPlot(dataset, x, y, bars);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlineVisible(false);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinePaint(GRID);
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
    return plot;
  }

  private static NumberAxis axis(String label) {
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(false);
    axis.setLabelFont(new Font(FONT, Font.PLAIN, 15));
    axis.setLabelPaint(TEXT);
    axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 13));
    axis.setTickLabelPaint(MUTED);
    axis.setAxisLinePaint(MUTED);
    axis.setTickMarkPaint(MUTED);
    return axis;
  }

  private static JFreeChart titled(XYPlot plot, String title) {
    JFreeChart chart = new JFreeChart(title, new Font(FONT, Font.BOLD, 20), plot, false);
    chart.getTitle().setPaint(TEXT);
    chart.getTitle().setMargin(4, 0, 2, 0);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(12, 12, 12, 24));
    chart.setTextAntiAlias(true);
    return chart;
  }

  private static TextTitle subtitle(String text) {
    TextTitle subtitle = new TextTitle(text, new Font(FONT, Font.PLAIN, 14));
    subtitle.setPaint(MUTED);
    subtitle.setMargin(0, 0, 8, 0);
    return subtitle;
  }

  private static XYTitleAnnotation legendInside(XYPlot plot) {
    // Stacked entries make a compact box for the corner that right-skewed errors leave empty.
    LegendTitle legend = new LegendTitle(plot, new ColumnArrangement(), new ColumnArrangement());
    legend.setItemFont(new Font(FONT, Font.PLAIN, 14));
    legend.setItemPaint(TEXT);
    legend.setBackgroundPaint(new Color(255, 255, 255, 230));
    legend.setFrame(new BlockBorder(new Color(0xCCCCCC)));
    legend.setPadding(new RectangleInsets(6, 8, 6, 10));
    legend.setItemLabelPadding(new RectangleInsets(2, 6, 2, 2));
    legend.setLegendItemGraphicPadding(new RectangleInsets(2, 2, 2, 2));
    return new XYTitleAnnotation(0.985, 0.98, legend, RectangleAnchor.TOP_RIGHT);
  }

  private static ValueMarker marker(double value, Color paint, Stroke stroke) {
    ValueMarker marker = new ValueMarker(value, paint, stroke);
    marker.setAlpha(1f);
    return marker;
  }

  private static LegendItem lineItem(String label, Color paint, Stroke stroke) {
    return new LegendItem(label, null, null, null, new Line2D.Double(-14, 0, 14, 0), stroke, paint);
  }

  private static double[][] seriesOf(HistogramBins bins) {
    int n = bins.size();
    double[] x = new double[n];
    double[] start = new double[n];
    double[] end = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      start[i] = bins.start(i);
      end[i] = bins.end(i);
      x[i] = (start[i] + end[i]) / 2;
      y[i] = bins.counts()[i];
    }
    return new double[][] {x, start, end, y, y, y};
  }

  private static Stroke dashed(float width, float dash, float gap) {
    return new BasicStroke(
        width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {dash, gap}, 0f);
  }
}
