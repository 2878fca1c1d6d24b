package io.mlqueue.app;

import io.mlqueue.model.LinearModel;
import io.mlqueue.model.Training;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlqueue train}: fits a model on a CSV file and writes the artifact {@code model} loads. */
@Command(
    name = "train",
    description =
        "Fit ordinary least squares on a numeric CSV file and write a model artifact for"
            + " 'mlqueue model --model PATH' (format: docs/MODEL_FORMAT.md).")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Numeric CSV with a header row.")
  Path data;

  @Option(names = "--target", required = true, paramLabel = "COLUMN", description = "The column to predict.")
  String target;

  @Option(names = "--out", required = true, paramLabel = "PATH", description = "Where to write the artifact (JSON).")
  Path out;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      defaultValue = "ols",
      description = "The model's name; its version is set from the time and the data (default: ${DEFAULT-VALUE}).")
  String name;

  @Override
  public Integer call() throws Exception {
    LinearModel model = Training.train(data, target, out, name);
    System.out.println("train: wrote " + out + ": " + model.id() + ", " + model.featureCount()
        + " features " + model.featureNames() + " -> " + model.targetName());
    model
        .provenance()
        .ifPresent(
            p ->
                System.out.println(
                    "train: " + p.rows() + " rows of " + p.data() + ", in-sample " + p.inSample()));
    return 0;
  }
}
