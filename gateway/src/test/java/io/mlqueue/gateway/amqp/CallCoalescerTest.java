package io.mlqueue.gateway.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallCoalescerTest {
  private static CallCoalescer.Call call(String id, double[]... rows) {
    return new CallCoalescer.Call(
        PredictRequest.positional(MessageId.of(id), rows),
        new CompletableFuture<>(),
        Long.MAX_VALUE);
  }

  private static CallCoalescer.Call named(String id, List<String> names, double[]... rows) {
    return new CallCoalescer.Call(
        new PredictRequest(MessageId.of(id), rows, names),
        new CompletableFuture<>(),
        Long.MAX_VALUE);
  }

  /** Runs the coalescer with a sender that is held until {@code release} opens. */
  private static List<List<String>> sendWhileTheFirstIsHeld(
      int maxRows, CallCoalescer.Call first, CallCoalescer.Call... rest) throws Exception {
    List<List<String>> sent = new CopyOnWriteArrayList<>();
    CountDownLatch inFirstSend = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (CallCoalescer coalescer =
        new CallCoalescer(
            maxRows,
            calls -> {
              sent.add(calls.stream().map(c -> c.request().id().text()).toList());
              inFirstSend.countDown();
              try {
                release.await(5, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })) {
      coalescer.add(first);
      assertThat(inFirstSend.await(5, TimeUnit.SECONDS)).isTrue();
      for (CallCoalescer.Call c : rest) {
        coalescer.add(c);
      }
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (coalescer.waiting() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      Thread.sleep(50); // the last batch's send
    }
    return sent;
  }

  @Test
  void aLoneCallGoesAtOnceAndCallsThatWaitMeanwhileGoTogether() throws Exception {
    double[] r = {1, 2};
    List<List<String>> sent =
        sendWhileTheFirstIsHeld(64, call("a", r), call("b", r), call("c", r, r), call("d", r));
    assertThat(sent).containsExactly(List.of("a"), List.of("b", "c", "d"));
  }

  @Test
  void onlyCallsOfOneShapeShareAMessageAndOrderIsKept() throws Exception {
    double[] two = {1, 2};
    double[] three = {1, 2, 3};
    List<String> names = List.of("x", "y");
    List<List<String>> sent =
        sendWhileTheFirstIsHeld(
            64,
            call("a", two),
            call("b", two),
            call("c", two),
            call("d", three),
            call("e", three),
            named("f", names, two),
            call("g", two));
    assertThat(sent)
        .containsExactly(
            List.of("a"), List.of("b", "c"), List.of("d", "e"), List.of("f"), List.of("g"));
  }

  @Test
  void aMessageCarriesAtMostMaxRowsAndABiggerCallStillGoesAlone() throws Exception {
    double[] r = {1};
    List<List<String>> sent =
        sendWhileTheFirstIsHeld(
            3, call("a", r), call("b", r, r), call("c", r), call("d", r), call("e", r, r, r, r));
    assertThat(sent).containsExactly(List.of("a"), List.of("b", "c"), List.of("d"), List.of("e"));
  }

  @Test
  void callsDoneWhileQueuedAreNotSent() throws Exception {
    double[] r = {1};
    CallCoalescer.Call cancelled = call("b", r);
    cancelled.result().cancel(false);
    List<List<String>> sent = sendWhileTheFirstIsHeld(64, call("a", r), cancelled, call("c", r));
    assertThat(sent).containsExactly(List.of("a"), List.of("c"));
  }

  @Test
  void theReplyIsSplitInOrderAndARefusalReachesEveryCall() {
    CallCoalescer.Call a = call("a", new double[] {1}, new double[] {2});
    CallCoalescer.Call b = call("b", new double[] {3});
    PredictRequest merged = CallCoalescer.merge(List.of(a, b));
    assertThat(merged.instances()).hasNumberOfRows(3);

    CallCoalescer.split(
        List.of(a, b), new PredictReply.Predictions(merged.id(), new double[] {10, 20, 30}, "m:1"));
    assertThat(a.result().join())
        .isEqualTo(new PredictReply.Predictions(MessageId.of("a"), new double[] {10, 20}, "m:1"));
    assertThat(b.result().join())
        .isEqualTo(new PredictReply.Predictions(MessageId.of("b"), new double[] {30}, "m:1"));

    CallCoalescer.Call c = call("c", new double[] {1});
    CallCoalescer.Call d = call("d", new double[] {1});
    CallCoalescer.split(
        List.of(c, d),
        new PredictReply.Failure(
            MessageId.of("x"), PredictReply.Kind.INVALID_INPUT, "expected 2 features"));
    assertThat(((PredictReply.Failure) d.result().join()).message())
        .isEqualTo("expected 2 features");
    assertThat(d.result().join().id()).isEqualTo(MessageId.of("d"));
    assertThat(c.result().join().id()).isEqualTo(MessageId.of("c"));
  }

  @Test
  void aReplyWithTheWrongNumberOfPredictionsFailsEveryCall() {
    CallCoalescer.Call a = call("a", new double[] {1});
    CallCoalescer.Call b = call("b", new double[] {1});
    CallCoalescer.split(
        List.of(a, b), new PredictReply.Predictions(MessageId.of("x"), new double[] {1}, "m:1"));
    assertThat(a.result()).isCompletedExceptionally();
    assertThat(b.result()).isCompletedExceptionally();
  }

  @Test
  void aSingleCallTravelsAsItsOwnRequest() {
    CallCoalescer.Call a = call("a", new double[] {1});
    assertThat(CallCoalescer.merge(List.of(a))).isSameAs(a.request());
  }
}
