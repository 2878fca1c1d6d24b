package io.mlqueue.amqp;

/**
 * What happens once the broker has answered a publish. Called on the connection's I/O thread: keep
 * it short and never block in it.
 */
public interface Outcome {
  /** An outcome that does nothing, for publishes nobody waits on. */
  Outcome NO_OP =
      new Outcome() {
        @Override
        public void confirmed() {}

        @Override
        public void failed(String reason) {}
      };

  /** The broker has taken responsibility for the message (persisted, if it was persistent). */
  void confirmed();

  /**
   * The broker refused the message, or the connection was lost before it answered: the message may
   * or may not have arrived.
   */
  void failed(String reason);
}
