package io.mlqueue.gateway.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The two OpenAPI documents the gateway's exchanges are checked against, as validators of
 * Atlassian's {@code openapi-request-validator}: the Open Inference Protocol's own ({@code
 * open-inference/open_inference_rest.yaml}, published by KServe; its README says where it comes
 * from and which four mechanical changes are made to it here, and why) and the gateway's {@code
 * /openapi.json}.
 */
public final class OpenApiSpecs {
  private static final String PROTOCOL_RESOURCE = "/open-inference/open_inference_rest.yaml";
  private static final String GATEWAY_RESOURCE = "/io/mlqueue/gateway/openapi.json";

  private static final OpenApiInteractionValidator PROTOCOL = validator(protocolDocument());
  private static final OpenApiInteractionValidator GATEWAY =
      validator(parse(read(GATEWAY_RESOURCE)));

  private OpenApiSpecs() {}

  /** The Open Inference Protocol's document, with the changes its README lists. */
  public static OpenApiInteractionValidator protocol() {
    return PROTOCOL;
  }

  /** The gateway's own {@code /openapi.json}. */
  public static OpenApiInteractionValidator gateway() {
    return GATEWAY;
  }

  private static OpenApiInteractionValidator validator(OpenAPI api) {
    return OpenApiInteractionValidator.createFor(api)
        .withLevelResolver(
            LevelResolver.create()
                // The tests also send what no operation describes (an unknown path, a wrong
                // method) to see the error; only the exchanges with an operation are checked.
                .withLevel("validation.request.path.missing", ValidationReport.Level.IGNORE)
                .withLevel("validation.request.operation.notAllowed", ValidationReport.Level.IGNORE)
                .build())
        .build();
  }

  static OpenAPI protocolDocument() {
    String yaml = read(PROTOCOL_RESOURCE);
    // 1. "${MODEL_NAME}": the text's placeholder notation, carried into the path templates.
    OpenAPI api =
        parse(
            yaml.replace("${MODEL_NAME}", "{MODEL_NAME}")
                .replace("${MODEL_VERSION}", "{MODEL_VERSION}"));
    Paths paths = new Paths();
    String versioned = "/v2/models/{MODEL_NAME}/versions/{MODEL_VERSION}";
    for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
      paths.addPathItem(e.getKey(), e.getValue());
      // 2. The text writes the version part as optional; the document has only the versioned form.
      if (e.getKey().startsWith(versioned)) {
        paths.addPathItem(
            "/v2/models/{MODEL_NAME}" + e.getKey().substring(versioned.length()),
            withoutVersion(e.getValue()));
      }
    }
    // 3. The text's server metadata path is "v2"; the document's "/v2/".
    paths.addPathItem("/v2", paths.get("/v2/"));
    api.setPaths(paths);
    // 4. A failed request answers an error status with {"error": string}, the text says.
    Schema<?> error = api.getComponents().getSchemas().get("inference_error_response");
    for (PathItem item : paths.values()) {
      for (Operation op : item.readOperations()) {
        op.getResponses()
            .setDefault(
                new ApiResponse()
                    .description("error")
                    .content(
                        new Content()
                            .addMediaType("application/json", new MediaType().schema(error))));
      }
    }
    return api;
  }

  /** A copy of {@code versioned} without the version parameter, wherever the parser put it. */
  private static PathItem withoutVersion(PathItem versioned) {
    PathItem item = copy(versioned, PathItem.class);
    if (item.getParameters() != null) {
      item.setParameters(withoutVersion(item.getParameters()));
    }
    for (Operation op : item.readOperations()) {
      if (op.getParameters() != null) {
        op.setParameters(withoutVersion(op.getParameters()));
      }
      op.setOperationId(op.getOperationId() + "-unversioned");
    }
    return item;
  }

  private static List<Parameter> withoutVersion(List<Parameter> parameters) {
    return parameters.stream().filter(p -> !"MODEL_VERSION".equals(p.getName())).toList();
  }

  private static <T> T copy(T value, Class<T> type) {
    try {
      return Json.mapper().readValue(Json.mapper().writeValueAsString(value), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OpenAPI parse(String text) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
    if (result.getOpenAPI() == null) {
      throw new IllegalStateException(
          "the OpenAPI document does not parse: " + result.getMessages());
    }
    return result.getOpenAPI();
  }

  private static String read(String resource) {
    try (InputStream in = OpenApiSpecs.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
