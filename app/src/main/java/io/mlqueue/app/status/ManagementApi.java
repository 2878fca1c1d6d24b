package io.mlqueue.app.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.Failures;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code mlqueue status} reads from RabbitMQ's management HTTP API ({@code GET
 * /api/queues/VHOST}): per queue its declared shape, depth, consumers and rates. A field the API
 * leaves out (it does, for a queue whose statistics have not been collected yet, or rates of a
 * queue nothing went through) is read as unknown ({@code null}), never as zero.
 */
public final class ManagementApi {
  /** The management plugin's port, as RabbitMQ serves it over plain HTTP. */
  public static final int DEFAULT_PORT = 15672;

  /** The management plugin's port over TLS, by RabbitMQ's convention. */
  public static final int DEFAULT_TLS_PORT = 15671;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One queue as the API shows it; a null field is unknown.
   *
   * @param type {@code classic}, {@code quorum}, {@code stream}
   * @param arguments the {@code x-…} arguments it was declared with
   * @param ready messages waiting to be delivered
   * @param unacked messages delivered and not yet acknowledged
   */
  public record QueueInfo(
      String name,
      boolean durable,
      boolean autoDelete,
      boolean exclusive,
      String type,
      Map<String, Object> arguments,
      Long ready,
      Long unacked,
      Long consumers,
      Rates rates) {}

  /**
   * Messages per second over the API's last sampling interval; a null field is unknown.
   *
   * @param deliver deliveries to consumers and basic.gets, with or without acknowledgement
   */
  public record Rates(Double publish, Double deliver, Double ack) {}

  /** The API could not be used: not answering, refusing the credentials, or not the API at all. */
  public static final class Unavailable extends IOException {
    public Unavailable(String message) {
      super(message);
    }
  }

  private final URI base;
  private final String user;
  private final String password;
  private final HttpClient client;

  /**
   * @param base the API's root, e.g. {@code http://127.0.0.1:15672}; a user and password in it win
   *     over {@code user} and {@code password}
   */
  public ManagementApi(URI base, String user, String password) {
    if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
        || base.getHost() == null) {
      throw new IllegalArgumentException(
          "--management-url must be http://HOST:PORT or https://HOST:PORT (or none), was "
              + (base.getRawUserInfo() == null ? base : "a URL with credentials and no such form"));
    }
    String info = base.getRawUserInfo();
    if (info != null && !info.isEmpty()) {
      int colon = info.indexOf(':');
      user = decode(colon >= 0 ? info.substring(0, colon) : info);
      password = colon >= 0 ? decode(info.substring(colon + 1)) : "";
    }
    this.base = withoutUserInfo(base);
    this.user = user;
    this.password = password;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /**
   * The API beside the broker of {@code settings}: its first node's host, same user and password.
   */
  public static ManagementApi of(AmqpSettings settings, String url) {
    URI amqp = URI.create(settings.uris().get(0));
    return new ManagementApi(
        url == null ? defaultUrl(settings) : URI.create(url), settings.user(), password(amqp));
  }

  /**
   * {@code http://HOST:15672} for an {@code amqp://} URI, {@code https://HOST:15671} for {@code
   * amqps://}: where RabbitMQ serves the API by default, on the first node's host.
   */
  public static URI defaultUrl(AmqpSettings settings) {
    URI amqp = URI.create(settings.uris().get(0));
    String host = amqp.getHost() == null ? "localhost" : amqp.getHost();
    boolean tls = settings.tls();
    try {
      return new URI(
          tls ? "https" : "http",
          null,
          host,
          tls ? DEFAULT_TLS_PORT : DEFAULT_PORT,
          null,
          null,
          null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("no management URL can be made of host " + host, e);
    }
  }

  /** The API's root, without credentials: safe to show. */
  public URI base() {
    return base;
  }

  /** Every queue of {@code vhost}. */
  public List<QueueInfo> queues(String vhost) throws Unavailable, InterruptedException {
    String path =
        "/api/queues/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8).replace("+", "%20");
    String body = get(path, vhost);
    try {
      return parseQueues(body);
    } catch (IOException | RuntimeException e) {
      throw new Unavailable(
          base + path + " did not answer with the API's list of queues (" + e.getMessage() + ")");
    }
  }

  private String get(String path, String vhost) throws Unavailable, InterruptedException {
    URI uri = URI.create(base.toString().replaceAll("/+$", "") + path);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(5))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
            .header("Accept", "application/json")
            .build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Unavailable("not answering at " + base + " (" + describe(e) + ")");
    } catch (IllegalArgumentException e) {
      throw new Unavailable("not a usable management URL: " + base + " (" + e.getMessage() + ")");
    }
    return switch (response.statusCode()) {
      case 200 -> response.body();
      case 401 ->
          throw new Unavailable(
              "refused at "
                  + base
                  + ": 401, user '"
                  + user
                  + "' and its password were not accepted");
      case 403 ->
          throw new Unavailable(
              "refused at "
                  + base
                  + ": 403, user '"
                  + user
                  + "' may not use the API (it needs the monitoring or management tag)");
      case 404 ->
          throw new Unavailable(
              "no virtual host '"
                  + vhost
                  + "' at "
                  + base
                  + " (404), or not RabbitMQ's management API");
      default -> throw new Unavailable("answered " + response.statusCode() + " at " + uri);
    };
  }

  /** The queues in a {@code GET /api/queues/VHOST} answer. */
  public static List<QueueInfo> parseQueues(String json) throws IOException {
    JsonNode all = JSON.readTree(json);
    if (all == null || !all.isArray()) {
      throw new IOException("not a JSON array");
    }
    List<QueueInfo> queues = new ArrayList<>();
    for (JsonNode q : all) {
      Map<String, Object> arguments = new LinkedHashMap<>();
      q.path("arguments")
          .fields()
          .forEachRemaining(
              e ->
                  arguments.put(
                      e.getKey(),
                      e.getValue().isValueNode()
                          ? JSON.convertValue(e.getValue(), Object.class)
                          : e.getValue().toString()));
      JsonNode stats = q.get("message_stats");
      Rates rates =
          stats == null || !stats.isObject()
              ? null
              : new Rates(rate(stats, "publish"), rate(stats, "deliver_get"), rate(stats, "ack"));
      queues.add(
          new QueueInfo(
              q.path("name").asText(),
              q.path("durable").asBoolean(),
              q.path("auto_delete").asBoolean(),
              q.path("exclusive").asBoolean(),
              q.hasNonNull("type") ? q.get("type").asText() : null,
              arguments,
              count(q, "messages_ready"),
              count(q, "messages_unacknowledged"),
              count(q, "consumers"),
              rates));
    }
    return queues;
  }

  private static Long count(JsonNode q, String field) {
    JsonNode v = q.get(field);
    return v != null && v.isNumber() ? v.asLong() : null;
  }

  private static Double rate(JsonNode stats, String field) {
    JsonNode v = stats.path(field + "_details").get("rate");
    return v != null && v.isNumber() ? v.asDouble() : null;
  }

  /**
   * The JDK's client reports a refused connection as a {@link java.net.ConnectException} without a
   * message around a cause without one either: name it.
   */
  public static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          && (t.getMessage() == null || t.getMessage().isBlank())) {
        return "connection refused";
      }
    }
    return Failures.describe(e);
  }

  private static String password(URI amqp) {
    String info = amqp.getRawUserInfo();
    if (info == null || info.indexOf(':') < 0) {
      return "guest"; // as the AMQP client defaults
    }
    return decode(info.substring(info.indexOf(':') + 1));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static URI withoutUserInfo(URI uri) {
    try {
      return new URI(
          uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--management-url is not a valid URL: " + uri, e);
    }
  }
}
