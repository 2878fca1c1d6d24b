package io.mlqueue.gateway.v2;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.mlqueue.contract.ModelDescription;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.gateway.ApiError;
import io.mlqueue.gateway.PredictionEndpoint;
import io.mlqueue.gateway.PredictionExchange;
import io.mlqueue.gateway.Predictor;
import io.mlqueue.gateway.Predictor.Readiness;
import io.mlqueue.gateway.Protocol;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Open Inference Protocol's REST API (KServe V2) on the gateway: server liveness, readiness and
 * metadata, model metadata and readiness, and inference, for the model the workers serve. Inference
 * goes the same way as {@code /v1/predict} (the same call, batching, limits and metrics); only the
 * JSON differs. Model metadata comes from the workers themselves (a describe call, see {@link
 * ServedModels}).
 */
public final class OpenInferenceApi {
  public static final String LIVE = "/v2/health/live";
  public static final String READY = "/v2/health/ready";
  public static final String SERVER = "/v2";
  public static final String MODEL = "/v2/models/{model_name}";
  public static final String MODEL_VERSION = MODEL + "/versions/{model_version}";
  public static final String MODEL_READY = MODEL + "/ready";
  public static final String MODEL_VERSION_READY = MODEL_VERSION + "/ready";
  public static final String INFER = MODEL + "/infer";
  public static final String INFER_VERSION = MODEL_VERSION + "/infer";

  /** The server's name in {@code GET /v2}. */
  static final String SERVER_NAME = "mlqueue";

  private static final Logger LOG = LoggerFactory.getLogger(OpenInferenceApi.class);

  private final Predictor predictor;
  private final ServedModels served;
  private final InferenceRequestParser parser;
  private final byte[] serverMetadata;

  /**
   * @param timeout how long a describe call may take (the gateway's timeout)
   * @param version the gateway's version, for {@code GET /v2}
   */
  public OpenInferenceApi(Predictor predictor, Duration timeout, int maxInstances, String version) {
    this.predictor = predictor;
    this.served = new ServedModels(predictor, timeout, System::nanoTime);
    this.parser = new InferenceRequestParser(maxInstances);
    this.serverMetadata = V2Bodies.serverMetadata(SERVER_NAME, version);
  }

  /** Told the {@code name:version} of every model that answers a prediction, of either API. */
  public void modelAnswered(String id) {
    served.seen(id);
  }

  // ---- inference ----

  /** {@code POST /v2/models/{model_name}[/versions/{model_version}]/infer}. */
  public PredictionEndpoint infer() {
    return this::infer;
  }

  private byte[] infer(ServerRequest req, PredictionExchange exchange) throws ApiError {
    String name = req.path().pathParameters().get("model_name");
    String version = version(req).orElse(null);
    // Before the body is read: an unknown model is a 404 whatever was sent.
    ModelDescription model = served.forInference(name, version);
    exchange.requireJson();
    InferenceRequest in = exchange.readBody(parser::parse);
    for (String output : in.outputs()) {
      if (!output.equals(model.target())) {
        throw ApiError.invalidRequest(
            "unknown output '"
                + InferenceRequestParser.abbreviate(output)
                + "'; model '"
                + name
                + "' has one output, '"
                + model.target()
                + "'");
      }
    }
    PredictReply.Predictions reply = exchange.predict(in.rows(), in.featureNames());
    ModelRef answered = ModelRef.parse(reply.model());
    if (!answered.name().equals(name) || (version != null && !answered.version().equals(version))) {
      // Only while workers swap models: the call went to one that serves another than asked for.
      throw new ApiError(
          503,
          ApiError.MODEL_CHANGED,
          "the prediction came from "
              + reply.model()
              + ", not "
              + name
              + (version == null ? "" : ":" + version)
              + ": the model workers are changing models;"
              + " retry"
              + (version == null ? "" : ", or leave the version out")
              + " (id "
              + exchange.id()
              + ")");
    }
    return V2Bodies.inference(
        answered, in.id(), in.parameters(), model.target(), reply.predictions());
  }

  // ---- health and metadata ----

  /**
   * {@code GET /v2/health/live}: the gateway answers, so it is live. The health answers' 200 has an
   * empty body, as the protocol's OpenAPI document declares (its text once said so too; a later
   * text shows {@code {"live": true}}); the status is the answer.
   */
  public void live(ServerRequest req, ServerResponse res) {
    healthy(res);
  }

  /**
   * {@code GET /v2/health/ready}: 200 when connected and a worker consumes, else 503 saying why.
   */
  public void ready(ServerRequest req, ServerResponse res) {
    Readiness readiness = readiness();
    if (readiness.ready()) {
      healthy(res);
    } else {
      Protocol.V2.sendError(res, notReady("the gateway", readiness), null);
    }
  }

  /** {@code GET /v2}. */
  public void serverMetadata(ServerRequest req, ServerResponse res) {
    json(res, serverMetadata);
  }

  /** {@code GET /v2/models/{model_name}[/versions/{model_version}]}. */
  public void modelMetadata(ServerRequest req, ServerResponse res) {
    String name = req.path().pathParameters().get("model_name");
    try {
      ModelDescription model = served.forMetadata(name, version(req).orElse(null));
      json(res, V2Bodies.modelMetadata(model, served.versions(model.name())));
    } catch (ApiError e) {
      Protocol.V2.sendError(res, e, null);
    }
  }

  /** {@code GET /v2/models/{model_name}[/versions/{model_version}]/ready}. */
  public void modelReady(ServerRequest req, ServerResponse res) {
    String name = req.path().pathParameters().get("model_name");
    try {
      served.forMetadata(name, version(req).orElse(null));
      Readiness readiness = readiness();
      if (!readiness.ready()) {
        throw notReady("model '" + name + "'", readiness);
      }
      healthy(res);
    } catch (ApiError e) {
      Protocol.V2.sendError(res, e, null);
    }
  }

  private Readiness readiness() {
    try {
      return predictor.readiness();
    } catch (RuntimeException e) {
      LOG.warn("the predictor failed to say whether it is ready", e);
      return new Readiness(false, 0);
    }
  }

  private static ApiError notReady(String what, Readiness readiness) {
    String code = readiness.connected() ? ApiError.NO_WORKER : ApiError.BROKER_UNAVAILABLE;
    return new ApiError(503, code, what + " is not ready: " + readiness.reason());
  }

  private static Optional<String> version(ServerRequest req) {
    return req.path().pathParameters().first("model_version").asOptional();
  }

  private static void healthy(ServerResponse res) {
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send();
  }

  private static void json(ServerResponse res, byte[] body) {
    res.header(HeaderValues.CONTENT_TYPE_JSON);
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(body);
  }
}
