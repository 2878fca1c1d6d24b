package io.mlqueue.gateway.v2;

import java.util.List;

/**
 * An inference request of the Open Inference Protocol, read into what the model workers take.
 *
 * @param id the client's {@code id}, echoed in the answer; null when it sent none
 * @param parameters the client's {@code parameters} object as JSON text, echoed; null when none
 * @param rows the instances, one row each
 * @param featureNames the feature of each column when the client sent one tensor per feature; empty
 *     when it sent one {@code [N, F]} tensor whose rows are in the model's order
 * @param outputs the outputs the client asked for by name; empty for all
 */
record InferenceRequest(
    String id,
    String parameters,
    double[][] rows,
    List<String> featureNames,
    List<String> outputs) {}
