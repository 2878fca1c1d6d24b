package io.mlqueue.gateway.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP client for the gateway's tests that checks every exchange against the OpenAPI documents
 * that describe it: each against the gateway's {@code /openapi.json}, and those under {@code /v2}
 * also against the Open Inference Protocol's own ({@link OpenApiSpecs}). A request the test sends
 * wrong on purpose ({@link #sendInvalid}) has only its answer checked. A failed check fails the
 * test with the validator's words.
 */
public final class CheckedClient {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String base;
  private int checked;

  /**
   * @param base the gateway's URL, e.g. {@code http://127.0.0.1:8080}
   */
  public CheckedClient(String base) {
    this.base = base;
  }

  /** An answer: status, headers, the body as text and as JSON (null when it is not JSON). */
  public record Answer(int status, Map<String, List<String>> headers, String body, JsonNode json) {
    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream())
          .findFirst()
          .orElse(null);
    }

    /** The protocol's {@code {"error": "…"}}, or null. */
    public String error() {
      return json == null ? null : json.path("error").asText(null);
    }
  }

  /** Exchanges checked so far. */
  public int checked() {
    return checked;
  }

  public Answer get(String path) {
    return send("GET", path, null, null, Map.of(), true);
  }

  /** POSTs a JSON body that the documents say is valid. */
  public Answer post(String path, String json) {
    return send("POST", path, "application/json", json, Map.of(), true);
  }

  /** POSTs a valid JSON body with extra headers (an API key). */
  public Answer post(String path, String json, Map<String, String> headers) {
    return send("POST", path, "application/json", json, headers, true);
  }

  /** Sends a request that is wrong on purpose; only the answer is checked. */
  public Answer sendInvalid(String method, String path, String contentType, String body) {
    return send(method, path, contentType, body, Map.of(), false);
  }

  private Answer send(
      String method,
      String path,
      String contentType,
      String body,
      Map<String, String> headers,
      boolean validRequest) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    Answer answer;
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String type = r.headers().firstValue("Content-Type").orElse("");
      JsonNode json =
          type.startsWith("application/json") && !r.body().isEmpty()
              ? JSON.readTree(r.body())
              : null;
      answer = new Answer(r.statusCode(), r.headers().map(), r.body(), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    check(method, path, contentType, body, headers, validRequest, answer);
    return answer;
  }

  private void check(
      String method,
      String path,
      String contentType,
      String body,
      Map<String, String> headers,
      boolean validRequest,
      Answer answer) {
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    SimpleRequest.Builder request = new SimpleRequest.Builder(method, bare);
    if (contentType != null) {
      request.withContentType(contentType);
    }
    if (body != null) {
      request.withBody(body);
    }
    headers.forEach(request::withHeader);
    SimpleResponse.Builder response = SimpleResponse.Builder.status(answer.status());
    answer.headers().forEach(response::withHeader);
    if (!answer.body().isEmpty()) {
      response.withBody(answer.body());
    }
    List<String> problems = new ArrayList<>();
    check(
        "the gateway's /openapi.json",
        OpenApiSpecs.gateway(),
        request.build(),
        response.build(),
        validRequest,
        problems);
    if (bare.equals("/v2") || bare.startsWith("/v2/")) {
      check(
          "the Open Inference Protocol's document",
          OpenApiSpecs.protocol(),
          request.build(),
          response.build(),
          validRequest,
          problems);
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(
          method
              + " "
              + path
              + " -> "
              + answer.status()
              + " "
              + answer.body()
              + "\n"
              + String.join("\n", problems));
    }
    checked++;
  }

  private static void check(
      String document,
      OpenApiInteractionValidator validator,
      SimpleRequest request,
      SimpleResponse response,
      boolean validRequest,
      List<String> problems) {
    ValidationReport report =
        validRequest
            ? validator.validate(request, response)
            : validator.validateResponse(
                request.getPath(), Request.Method.valueOf(request.getMethod().name()), response);
    for (ValidationReport.Message m : report.getMessages()) {
      if (m.getLevel() == ValidationReport.Level.ERROR) {
        problems.add("  against " + document + ": " + m.getKey() + ": " + m.getMessage());
      }
    }
  }
}
