package io.mlqueue.plot;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The live dashboard of a {@link PlotService}, as routes for the service's HTTP server:
 *
 * <ul>
 *   <li>{@code GET /}: one self-contained page (inline CSS, JavaScript and SVG; nothing fetched
 *       from elsewhere, so it works offline) that polls the JSON below every two seconds and says
 *       when the data is stale or the service unreachable;
 *   <li>{@code GET /api/histogram}: the bins and statistics of the last chart drawn ({@link
 *       HistogramJson});
 *   <li>{@code GET /error_distribution.png}: the last image drawn, 404 before the first draw;
 *   <li>{@code GET /api/drift}: the drift panel's data ({@link DriftFeed});
 *   <li>{@code GET /api/models}: each model's quality and cost over time, from {@code
 *       model_log.csv} ({@link ModelWindowsJson});
 *   <li>{@code GET /api/pipeline}: the queues' depths and the pipeline's delay ({@link
 *       PipelineFeed}).
 * </ul>
 *
 * Every response comes from the service's memory (its {@link PlotSnapshot} and {@link
 * ModelWindows}): a request costs no file read and no CSV parsing, however long the log.
 */
public final class PlotDashboard implements HttpService {

  /** The page's resource, beside this class. */
  static final String PAGE_RESOURCE = "dashboard.html";

  // The page's own inline code and same-origin requests only: a tampered or careless edit that
  // pulls a script from elsewhere is blocked by the browser, not just by review.
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
          + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none';"
          + " frame-ancestors 'none'";

  private final PlotService service;
  private final Clock clock;
  private final byte[] page;
  private final DriftFeed drift;
  private final PipelineFeed pipeline;

  /** The dashboard of {@code service}, with no drift or pipeline data. */
  public PlotDashboard(PlotService service) {
    this(service, DriftFeed.NONE, PipelineFeed.NONE);
  }

  /** The dashboard of {@code service}, its drift panel fed by {@code drift}. */
  public PlotDashboard(PlotService service, DriftFeed drift) {
    this(service, drift, PipelineFeed.NONE);
  }

  /**
   * The dashboard of {@code service}, its drift panel fed by {@code drift} and its pipeline panel
   * by {@code pipeline}.
   */
  public PlotDashboard(PlotService service, DriftFeed drift, PipelineFeed pipeline) {
    this(service, Clock.systemUTC(), drift, pipeline);
  }

  PlotDashboard(PlotService service, Clock clock) {
    this(service, clock, DriftFeed.NONE, PipelineFeed.NONE);
  }

  PlotDashboard(PlotService service, Clock clock, DriftFeed drift, PipelineFeed pipeline) {
    this.service = Objects.requireNonNull(service, "service");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.drift = Objects.requireNonNull(drift, "drift");
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.page = loadPage();
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::page)
        .get("/api/histogram", this::histogram)
        .get("/api/drift", this::drift)
        .get("/api/models", this::models)
        .get("/api/pipeline", this::pipeline)
        .get("/" + PlotService.PNG_FILE_NAME, this::png);
  }

  private void page(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    // Revalidated on every load, so a new version of the page shows after an upgrade.
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
    res.header(HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF);
    res.send(page);
  }

  private void histogram(ServerRequest req, ServerResponse res) {
    byte[] json = HistogramJson.of(service.latest(), service, clock.instant());
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.header(HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF);
    res.send(json);
  }

  private void drift(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.header(HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF);
    res.send(drift.json());
  }

  private void pipeline(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.header(HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF);
    res.send(pipeline.json());
  }

  private void models(ServerRequest req, ServerResponse res) {
    ModelWindows windows = service.modelWindows();
    byte[] json =
        ModelWindowsJson.of(windows.timeline(), windows.costModel(), service.modelLogExists());
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.header(HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF);
    res.send(json);
  }

  private void png(ServerRequest req, ServerResponse res) {
    Optional<PlotSnapshot> latest = service.latest();
    if (latest.isEmpty()) {
      res.status(Status.NOT_FOUND_404);
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.header(HeaderNames.CACHE_CONTROL, "no-store");
      res.send(
          "{\"error\":\"not_drawn_yet\",\"message\":\"the plot service has not drawn the"
              + " histogram yet\"}");
      return;
    }
    PlotSnapshot snapshot = latest.get();
    // The draw number names the image: a client that has this one gets a 304 and no bytes. The
    // draw time goes with it, since a restarted service counts its draws from 1 again.
    String etag = "\"draw-" + snapshot.number() + "-" + snapshot.drawnAt().toEpochMilli() + "\"";
    res.header(HeaderNames.ETAG, etag);
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    if (req.headers().contains(HeaderNames.IF_NONE_MATCH)
        && matches(req.headers().get(HeaderNames.IF_NONE_MATCH).allValues(), etag)) {
      res.status(Status.NOT_MODIFIED_304);
      res.send();
      return;
    }
    res.header(HeaderNames.CONTENT_TYPE, "image/png");
    res.send(snapshot.pngBytes());
  }

  /** Whether an If-None-Match header (one or more lines, each a comma list) names {@code etag}. */
  static boolean matches(List<String> ifNoneMatch, String etag) {
    for (String line : ifNoneMatch) {
      for (String tag : line.split(",")) {
        String t = tag.strip();
        // A weak validator (W/"…") matches too: If-None-Match compares weakly (RFC 9110 13.1.2).
        if (t.equals("*") || t.equals(etag) || t.equals("W/" + etag)) {
          return true;
        }
      }
    }
    return false;
  }

  private static byte[] loadPage() {
    try (InputStream in = PlotDashboard.class.getResourceAsStream(PAGE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + PAGE_RESOURCE + " missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + PAGE_RESOURCE, e);
    }
  }
}
