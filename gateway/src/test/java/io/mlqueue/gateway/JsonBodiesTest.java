package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import io.mlqueue.contract.MessageId;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

  @Test
  void aBufferReleasedOnOneVirtualThreadIsReusedOnTheNext() throws InterruptedException {
    // Every request runs on a new virtual thread: a per-thread pool would hand each a new one.
    AtomicReference<BufferRecycler> first = new AtomicReference<>();
    AtomicReference<BufferRecycler> second = new AtomicReference<>();
    Thread.ofVirtual().start(() -> {
      BufferRecycler recycler = JsonBodies.FACTORY._getBufferRecycler();
      first.set(recycler);
      recycler.releaseToPool();
    }).join();
    Thread.ofVirtual().start(() -> {
      BufferRecycler recycler = JsonBodies.FACTORY._getBufferRecycler();
      second.set(recycler);
      recycler.releaseToPool();
    }).join();

    assertThat(second.get()).isSameAs(first.get());
  }

  @Test
  void writesPredictionsForOneAndForManyInstances() {
    MessageId id = MessageId.of("42");

    assertThat(new String(JsonBodies.predictions(id, new double[] {1.5}, "m:1", true)))
        .isEqualTo("{\"id\":\"42\",\"prediction\":1.5,\"model\":\"m:1\"}");
    assertThat(new String(JsonBodies.predictions(id, new double[] {1.5, -2.0}, "m:1", false)))
        .isEqualTo("{\"id\":\"42\",\"predictions\":[1.5,-2.0],\"model\":\"m:1\"}");
  }
}
