package io.mlqueue.contract;

import java.util.List;

/**
 * Queue names of the course's contract. All of them live on the default exchange, so the routing
 * key of a publish is the queue name.
 */
public final class Queues {
  /** Feature vectors: {@code {"id": …, "body": [numbers]}}. */
  public static final String FEATURES = "features";

  /** True answers: {@code {"id": …, "body": number}}. */
  public static final String Y_TRUE = "y_true";

  /** Predictions: {@code {"id": …, "body": number}}. */
  public static final String Y_PRED = "y_pred";

  /**
   * Predictions of models that are not the champion: a challenger in shadow ({@code model
   * --shadow}) and the gateway's answers, each tagged with its {@code model}. Same bodies as {@code
   * y_pred}; kept apart so that the course's {@code metric}, which reads {@code y_pred}, never sees
   * two predictions for one id. Our {@code metric --model-log} pairs them into {@code
   * model_log.csv}.
   */
  public static final String Y_PRED_SHADOW = "y_pred_shadow";

  /**
   * Request/reply prediction calls ({@link PredictRequest}), answered to each request's {@code
   * reply_to}: the course's "server" pattern, whose request queue it calls {@code data}.
   */
  public static final String PREDICT = "predict";

  /**
   * Request/reply calls for the challenger ({@code model --shadow}), the gateway's canary share:
   * the same bodies as {@link #PREDICT}, answered by the challenger a worker serves in shadow.
   */
  public static final String PREDICT_CHALLENGER = "predict.challenger";

  /**
   * True answers that arrive late, by id: the gateway's {@code POST /v1/feedback}. Same body as
   * {@code y_true}; kept apart because nothing on {@code y_pred} waits for them. Our {@code metric
   * --model-log} joins them to the gateway's answers on {@link #Y_PRED_SHADOW}.
   */
  public static final String FEEDBACK = "y_true_feedback";

  /** The three queues of the pipeline, in the order the data flows. */
  public static final List<String> PIPELINE = List.of(FEATURES, Y_TRUE, Y_PRED);

  /** Suffix of a queue's dead-letter queue; a dead letter carries its reason in a header. */
  public static final String DEAD_LETTER_SUFFIX = ".dlq";

  private Queues() {}

  /** The dead-letter queue that belongs to {@code queue}, e.g. {@code features.dlq}. */
  public static String deadLetterQueue(String queue) {
    return queue + DEAD_LETTER_SUFFIX;
  }
}
