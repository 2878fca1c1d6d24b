package io.mlqueue.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import org.junit.jupiter.api.Test;

/** The checks can fail: the documents refuse what breaks them, and read the protocol's paths. */
class OpenApiSpecsTest {
  private static final String REQUEST =
      "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 2], \"datatype\": \"FP64\", \"data\": [1, 2]}]}";
  private static final String RESPONSE =
      "{\"model_name\": \"m\", \"model_version\": \"1\", \"outputs\": [{\"name\": \"y\","
          + " \"datatype\": \"FP64\", \"shape\": [1, 1], \"data\": [3.0]}]}";

  @Test
  void theProtocolsDocumentTakesAGoodExchangeOnEveryPathForm() {
    for (String path : new String[] {"/v2/models/m/infer", "/v2/models/m/versions/1/infer"}) {
      assertThat(errors(OpenApiSpecs.protocol().validate(request(path, REQUEST), ok(RESPONSE))))
          .as(path)
          .isEmpty();
    }
  }

  @Test
  void theProtocolsDocumentRefusesAnAnswerWithoutOutputsOrARequestWithoutInputs() {
    ValidationReport noOutputs =
        OpenApiSpecs.protocol()
            .validate(request("/v2/models/m/infer", REQUEST), ok("{\"model_name\": \"m\"}"));
    assertThat(errors(noOutputs)).contains("validation.response.body.schema.required");

    ValidationReport noInputs =
        OpenApiSpecs.protocol()
            .validate(request("/v2/models/m/infer", "{\"id\": \"1\"}"), ok(RESPONSE));
    assertThat(errors(noInputs)).contains("validation.request.body.schema.required");
  }

  @Test
  void anErrorMustBeTheProtocolsErrorObject() {
    SimpleResponse wrong =
        SimpleResponse.Builder.status(404)
            .withContentType("application/json")
            .withBody("{\"error\": {\"code\": \"not_found\"}}")
            .build();
    assertThat(
            errors(OpenApiSpecs.protocol().validate(request("/v2/models/m/infer", REQUEST), wrong)))
        .isNotEmpty();
    assertThat(
            errors(OpenApiSpecs.gateway().validate(request("/v2/models/m/infer", REQUEST), wrong)))
        .isNotEmpty();
  }

  private static SimpleRequest request(String path, String body) {
    return SimpleRequest.Builder.post(path)
        .withContentType("application/json")
        .withBody(body)
        .build();
  }

  private static SimpleResponse ok(String body) {
    return SimpleResponse.Builder.ok().withContentType("application/json").withBody(body).build();
  }

  private static java.util.List<String> errors(ValidationReport report) {
    return report.getMessages().stream()
        .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
        .map(ValidationReport.Message::getKey)
        .toList();
  }
}
