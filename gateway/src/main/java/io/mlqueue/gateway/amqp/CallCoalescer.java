package io.mlqueue.gateway.amqp;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.PredictReply;
import io.mlqueue.contract.PredictRequest;
import io.mlqueue.gateway.Predictor.BrokerDownException;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the calls that are waiting together as one broker message: dynamic batching at the gateway.
 *
 * <p>One sender thread takes the calls in arrival order. When it is free and one call waits, that
 * call goes alone, at once: nothing ever waits for a batch to fill. While it is busy sending, calls
 * pile up, and the next message carries all of them (up to {@link #maxRows} rows). Under load one
 * message then serves many clients, which saves the broker a publish and a delivery each way per
 * client, and the worker a message each; that is where a request/reply round trip spends most of
 * its CPU on a small machine.
 *
 * <p>Only calls of the same shape travel together: rows of one length, the same feature names. A
 * worker judges a request by its shape alone, so a merged message is refused exactly when each of
 * its calls would have been, and the refusal is every call's answer (see {@link #split}).
 */
final class CallCoalescer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CallCoalescer.class);

  /**
   * One client's call, waiting for its answer until {@code deadlineNanos} ({@link
   * System#nanoTime}), made under the trace context {@code context} (the HTTP request's server span
   * when traced, else the root context).
   */
  record Call(
      PredictRequest request,
      CompletableFuture<PredictReply> result,
      long deadlineNanos,
      Context context) {
    Call(PredictRequest request, CompletableFuture<PredictReply> result, long deadlineNanos) {
      this(request, result, deadlineNanos, Context.root());
    }

    int rows() {
      return request.instances().length;
    }

    /** The rows' common length, or -1 when they differ (such a call never travels with others). */
    int width() {
      double[][] rows = request.instances();
      int width = rows[0].length;
      for (double[] row : rows) {
        if (row.length != width) {
          return -1;
        }
      }
      return width;
    }
  }

  private final int maxRows;
  private final Consumer<List<Call>> send;
  private final BlockingQueue<Call> waiting = new LinkedBlockingQueue<>();
  private final Thread sender;
  private volatile boolean closed;

  /**
   * @param maxRows the most rows in one message; a call with more still goes, alone
   * @param send publishes the calls as one message; runs on the sender thread, must not block long
   */
  CallCoalescer(int maxRows, Consumer<List<Call>> send) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be at least 1, was " + maxRows);
    }
    this.maxRows = maxRows;
    this.send = Objects.requireNonNull(send, "send");
    this.sender = Thread.ofPlatform().daemon().name("gateway-sender").start(this::run);
  }

  /** Queues a call; it is sent as soon as the sender is free. */
  void add(Call call) {
    if (closed) {
      call.result().completeExceptionally(new BrokerDownException("the gateway is stopping"));
      return;
    }
    waiting.add(call);
  }

  /** Calls queued and not yet sent. */
  int waiting() {
    return waiting.size();
  }

  private void run() {
    List<Call> batch = new ArrayList<>();
    Call carried = null; // taken from the queue but of another shape: it heads the next batch
    while (!closed) {
      try {
        Call first = carried != null ? carried : waiting.poll(100, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null || first.result().isDone()) {
          continue; // timed out or cancelled while queued: nobody wants its answer any more
        }
        batch.add(first);
        int rows = first.rows();
        int width = first.width();
        Call next;
        while (rows < maxRows && width >= 0 && (next = waiting.poll()) != null) {
          if (next.result().isDone()) {
            continue;
          }
          if (next.width() != width
              || !Objects.equals(next.request().featureNames(), first.request().featureNames())
              || rows + next.rows() > maxRows) {
            carried = next;
            break;
          }
          batch.add(next);
          rows += next.rows();
        }
        send.accept(List.copyOf(batch));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // A bug must fail these calls, not stop the only thread that sends.
        log.error("gateway: sending {} calls failed", batch.size(), e);
        batch.forEach(c -> c.result().completeExceptionally(e));
      } finally {
        batch.clear();
      }
    }
  }

  /** The one request that carries {@code calls}: the single call's own, or their rows together. */
  static PredictRequest merge(List<Call> calls) {
    if (calls.size() == 1) {
      return calls.get(0).request();
    }
    int total = 0;
    for (Call call : calls) {
      total += call.rows();
    }
    double[][] rows = new double[total][];
    int at = 0;
    for (Call call : calls) {
      double[][] mine = call.request().instances();
      System.arraycopy(mine, 0, rows, at, mine.length);
      at += mine.length;
    }
    return new PredictRequest(MessageId.random(), rows, calls.get(0).request().featureNames());
  }

  /**
   * Hands each call its part of the merged message's reply: its own rows' predictions, in order, or
   * the refusal, which applies to every call since all have the same shape.
   */
  static void split(List<Call> calls, PredictReply reply) {
    switch (reply) {
      case PredictReply.Predictions p -> {
        int expected = calls.stream().mapToInt(Call::rows).sum();
        if (p.predictions().length != expected) {
          IllegalStateException wrong =
              new IllegalStateException(
                  "the worker answered "
                      + p.predictions().length
                      + " predictions for "
                      + expected
                      + " rows");
          calls.forEach(c -> c.result().completeExceptionally(wrong));
          return;
        }
        int at = 0;
        for (Call call : calls) {
          double[] mine =
              calls.size() == 1
                  ? p.predictions()
                  : Arrays.copyOfRange(p.predictions(), at, at + call.rows());
          at += call.rows();
          call.result()
              .complete(new PredictReply.Predictions(call.request().id(), mine, p.model()));
        }
      }
      case PredictReply.Failure f -> {
        for (Call call : calls) {
          call.result()
              .complete(new PredictReply.Failure(call.request().id(), f.kind(), f.message()));
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    try {
      sender.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    BrokerDownException stopping = new BrokerDownException("the gateway is stopping");
    Call call;
    while ((call = waiting.poll()) != null) {
      call.result().completeExceptionally(stopping);
    }
  }
}
