package io.mlqueue.app;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a command has opened, closed newest first when the try-with-resources that holds it ends —
 * on the normal path and on every failure path alike. A failure to close one does not stop the
 * others: the first is thrown once all were tried, the rest suppressed into it.
 */
final class Closer implements AutoCloseable {
  private final Deque<AutoCloseable> open = new ArrayDeque<>();

  /** Closes {@code resource} with the others; returns it. */
  <T extends AutoCloseable> T add(T resource) {
    open.push(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    AutoCloseable next;
    while ((next = open.poll()) != null) {
      try {
        next.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
