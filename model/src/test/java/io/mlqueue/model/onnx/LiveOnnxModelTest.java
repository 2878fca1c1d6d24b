package io.mlqueue.model.onnx;

import static io.mlqueue.model.onnx.TinyGraphs.DYNAMIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.mlqueue.model.service.LiveModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX models in a {@link LiveModel}: a swapped-out one keeps its native session until the last
 * prediction with it is done; a refused one is closed at once.
 */
class LiveOnnxModelTest {
  @TempDir Path dir;

  /** Predicts a + b, served as {@code sum:version}. */
  private OnnxModel sum(String version, String features) throws Exception {
    Path file =
        TinyGraphs.write(
            TinyGraphs.withMetadata(
                TinyGraphs.rowSum(DataType.FLOAT, DYNAMIC, 2, 1),
                Map.of("mlqueue.features", features, "mlqueue.target", "y")),
            dir.resolve("sum-" + version + ".onnx"));
    return OnnxModel.load(file, "sum", version);
  }

  @Test
  void aSwappedOutModelIsClosedOnlyOnceItsLastLeaseIsReleased() throws Exception {
    OnnxModel v1 = sum("1", "a,b");
    OnnxModel v2 = sum("2", "a,b");
    LiveModel live = new LiveModel(v1);
    LiveModel.Lease inFlight = live.lease();
    LiveModel.Lease another = live.lease();

    assertThat(live.swap(v2)).isEmpty();

    // Readers still predicting with v1 may finish: its session stays open.
    assertThat(v1.isClosed()).isFalse();
    assertThat(inFlight.model()).isSameAs(v1);
    assertThat(inFlight.model().predict(new double[] {1, 2})).isEqualTo(3.0);
    // New readers get v2.
    try (LiveModel.Lease next = live.lease()) {
      assertThat(next.model()).isSameAs(v2);
    }
    inFlight.close();
    inFlight.close(); // a second close releases nothing more
    assertThat(v1.isClosed()).isFalse();
    another.close();
    assertThat(v1.isClosed()).isTrue();
    assertThat(v2.isClosed()).isFalse();

    // At shutdown the model served is closed too, after its last lease.
    LiveModel.Lease last = live.lease();
    live.close();
    assertThat(v2.isClosed()).isFalse();
    last.close();
    assertThat(v2.isClosed()).isTrue();
    assertThatThrownBy(live::lease).hasMessageContaining("closed");
  }

  @Test
  void aModelNotSwappedInIsClosedAtOnce() throws Exception {
    OnnxModel v1 = sum("1", "a,b");
    OnnxModel otherColumns = sum("2", "c,d");
    LiveModel live = new LiveModel(v1);

    assertThat(live.swap(otherColumns))
        .hasValueSatisfying(why -> assertThat(why).contains("reads features [c, d]"));

    assertThat(otherColumns.isClosed()).isTrue();
    assertThat(v1.isClosed()).isFalse();
    assertThat(live.current()).isSameAs(v1);
    assertThat(live.refusals()).isEqualTo(1);

    live.close();
    assertThat(v1.isClosed()).isTrue();
    // A model arriving while the worker stops is refused and closed, never leaked.
    OnnxModel late = sum("3", "a,b");
    assertThat(live.swap(late)).hasValue("the worker is stopping");
    assertThat(late.isClosed()).isTrue();
  }

  @Test
  void readersPredictingWhileModelsAreSwappedNeverMeetAClosedSession() throws Exception {
    List<OnnxModel> models = new ArrayList<>();
    for (int v = 1; v <= 40; v++) {
      models.add(sum(String.valueOf(v), "a,b"));
    }
    LiveModel live = new LiveModel(models.get(0));
    AtomicBoolean swapping = new AtomicBoolean(true);
    AtomicLong predictions = new AtomicLong();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    CountDownLatch started = new CountDownLatch(3);
    List<Thread> readers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      readers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    started.countDown();
                    while (swapping.get()) {
                      try (LiveModel.Lease lease = live.lease()) {
                        double[][] rows = new double[8][];
                        for (int i = 0; i < rows.length; i++) {
                          rows[i] = new double[] {i, 2 * i};
                        }
                        double[] out = new double[rows.length];
                        // Throws "is closed" if the session was freed under this lease.
                        lease.model().predictBatch(rows, out);
                        for (int i = 0; i < rows.length; i++) {
                          if (out[i] != 3 * i) {
                            throw new AssertionError("row " + i + " predicted " + out[i]);
                          }
                        }
                        predictions.incrementAndGet();
                      } catch (Throwable e) {
                        failures.add(e);
                      }
                    }
                  }));
    }
    started.await();
    for (OnnxModel next : models.subList(1, models.size())) {
      assertThat(live.swap(next)).isEmpty();
      Thread.sleep(2);
    }
    swapping.set(false);
    for (Thread reader : readers) {
      reader.join(10_000);
    }
    assertThat(failures).isEmpty();
    assertThat(predictions.get()).isPositive();
    // Every retired model has been closed, the one served has not.
    assertThat(models.subList(0, models.size() - 1)).allMatch(OnnxModel::isClosed);
    assertThat(models.get(models.size() - 1).isClosed()).isFalse();
    live.close();
    assertThat(models.get(models.size() - 1).isClosed()).isTrue();
  }
}
