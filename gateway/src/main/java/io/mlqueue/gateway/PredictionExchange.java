package io.mlqueue.gateway;

import com.fasterxml.jackson.core.JsonParser;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpMediaType;
import io.helidon.webserver.http.ServerRequest;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an API's {@link PredictionEndpoint} needs for one request, the same for both APIs: the
 * content-type check, the body read within the gateway's limits, and the call to the model workers.
 * One per request, on its thread.
 */
public final class PredictionExchange {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionExchange.class);
  private static final String USE_JSON = "send the body as application/json";

  /** Reads a request body with Jackson's streaming parser. */
  @FunctionalInterface
  public interface BodyParser<T> {
    /**
     * @throws ApiError 400 for a body of the wrong shape
     * @throws IOException for broken JSON ({@link
     *     com.fasterxml.jackson.core.JsonProcessingException}, answered 400 invalid_json) or when
     *     reading the body fails
     */
    T parse(JsonParser parser) throws ApiError, IOException;
  }

  private final ServerRequest request;
  private final Protocol protocol;
  private final PredictRoute.Shared shared;
  private MessageId id;

  PredictionExchange(ServerRequest request, Protocol protocol, PredictRoute.Shared shared) {
    this.request = request;
    this.protocol = protocol;
    this.shared = shared;
  }

  /** The id the call got, once {@link #predict} was called; else null. */
  public MessageId id() {
    return id;
  }

  /**
   * Refuses a body that is not JSON in UTF-8 (415).
   *
   * @throws ApiError 415 naming the content type or charset sent
   */
  public void requireJson() throws ApiError {
    Headers headers = request.headers();
    Optional<HttpMediaType> contentType;
    try {
      contentType = headers.contentType();
    } catch (RuntimeException e) {
      throw unsupported("the Content-Type header is not a media type; " + USE_JSON);
    }
    if (contentType.isEmpty()) {
      throw unsupported("the request has no Content-Type; " + USE_JSON);
    }
    HttpMediaType type = contentType.get();
    String subtype = type.subtype().toLowerCase(Locale.ROOT);
    if (!"application".equalsIgnoreCase(type.type())
        || !(subtype.equals("json") || subtype.endsWith("+json"))) {
      throw unsupported(
          "Content-Type " + abbreviate(type.mediaType().text()) + " is not supported; " + USE_JSON);
    }
    // JSON is UTF-8 (RFC 8259); a client that says otherwise would get its text misread.
    String charset = type.parameters().get(HttpMediaType.CHARSET_PARAMETER);
    if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
      throw unsupported("charset " + abbreviate(charset) + " is not supported; send JSON in UTF-8");
    }
  }

  /**
   * Parses the body as it arrives, bounded by {@code --max-body} and the read timeout, and reads it
   * to its end: from then on the wait is not the client's to answer for.
   *
   * @throws ApiError 400 (broken JSON, wrong shape, broken framing), 408, 413
   */
  public <T> T readBody(BodyParser<T> parser) throws ApiError {
    int maxBodyBytes = shared.config().maxBodyBytes();
    InputStream body =
        request.content().hasEntity()
            ? new RequestBody(
                request.content().inputStream(), maxBodyBytes, shared.guard()::expired)
            : InputStream.nullInputStream();
    try (JsonParser p = JsonBodies.FACTORY.createParser(body)) {
      T parsed = parser.parse(p);
      if (p.nextToken() != null) {
        throw ApiError.invalidJson("unexpected content after the JSON object");
      }
      shared.guard().requestRead();
      return parsed;
    } catch (RequestBody.TooLarge e) {
      throw ApiError.payloadTooLarge(maxBodyBytes);
    } catch (RequestBody.TimedOut e) {
      throw new ApiError(
          408,
          ApiError.REQUEST_TIMEOUT,
          "the request did not arrive whole within the gateway's read timeout of "
              + PredictionCall.words(shared.config().limits().readTimeout())
              + "; send it in one go");
    } catch (RequestBody.Unreadable e) {
      LOG.debug("unreadable request body", e);
      throw new ApiError(
          400,
          ApiError.BAD_REQUEST,
          "the request body could not be read: it ends early or its chunked encoding is broken");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ApiError.invalidJson(e);
    } catch (IOException e) {
      // The client went away mid-body: nobody to answer.
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends the rows to the model workers and waits for their predictions.
   *
   * @param featureNames the name of each column, or empty when the rows are in the model's order
   * @throws ApiError 400 (the worker refused the rows), 500, 503, 504
   */
  public PredictReply.Predictions predict(double[][] rows, List<String> featureNames)
      throws ApiError {
    shared.metrics().instances(protocol, rows.length);
    id = MessageId.random();
    Optional<String> stickyKey =
        shared.call().stickyHeader().flatMap(h -> request.headers().first(HeaderNames.create(h)));
    return shared.call().predict(new PredictRequest(id, rows, featureNames), stickyKey);
  }

  private static ApiError unsupported(String message) {
    return new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, message);
  }

  static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
