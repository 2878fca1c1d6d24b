package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

  @Test
  void aBufferReleasedOnOneVirtualThreadIsReusedOnTheNext() throws InterruptedException {
    // Every request runs on a new virtual thread: a per-thread pool would hand each a new one.
    AtomicReference<BufferRecycler> first = new AtomicReference<>();
    AtomicReference<BufferRecycler> second = new AtomicReference<>();
    Thread.ofVirtual()
        .start(
            () -> {
              BufferRecycler recycler = JsonBodies.FACTORY._getBufferRecycler();
              first.set(recycler);
              recycler.releaseToPool();
            })
        .join();
    Thread.ofVirtual()
        .start(
            () -> {
              BufferRecycler recycler = JsonBodies.FACTORY._getBufferRecycler();
              second.set(recycler);
              recycler.releaseToPool();
            })
        .join();

    assertThat(second.get()).isSameAs(first.get());
  }
}
