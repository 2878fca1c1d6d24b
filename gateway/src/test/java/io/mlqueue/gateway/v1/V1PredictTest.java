package io.mlqueue.gateway.v1;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.MessageId;
import org.junit.jupiter.api.Test;

class V1PredictTest {
  @Test
  void writesPredictionsForOneAndForManyInstances() {
    MessageId id = MessageId.of("42");

    assertThat(new String(V1Predict.body(id, new double[] {1.5}, "m:1", true)))
        .isEqualTo("{\"id\":\"42\",\"prediction\":1.5,\"model\":\"m:1\"}");
    assertThat(new String(V1Predict.body(id, new double[] {1.5, -2.0}, "m:1", false)))
        .isEqualTo("{\"id\":\"42\",\"predictions\":[1.5,-2.0],\"model\":\"m:1\"}");
  }
}
