import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import io.mlqueue.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.slm.LARSTrainer;
import org.tribuo.regression.slm.SparseLinearModel;

/**
 * Writes an ONNX model of the diabetes data for the benchmarks: Tribuo's least-squares fit (LARS),
 * exported with the {@code mlqueue.*} metadata the worker reads; and the data set with its columns
 * in the model's order (Tribuo orders inputs by feature name), for a features stream. Run by
 * bench/onnx-model.sh.
 */
public class ExportDiabetesOnnx {
  // Tribuo logs every LARS step at INFO; held here because java.util.logging keeps loggers weakly.
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  public static void main(String[] args) throws Exception {
    TRIBUO_LOG.setLevel(Level.WARNING);
    Path modelFile = Path.of(args[0]);
    Path dataFile = Path.of(args[1]);
    Dataset data = Dataset.builtIn();
    RegressionFactory factory = new RegressionFactory();
    MutableDataset<Regressor> examples =
        new MutableDataset<>(new SimpleDataSourceProvenance("diabetes", factory), factory);
    String[] names = data.featureNames().toArray(String[]::new);
    for (int i = 0; i < data.size(); i++) {
      examples.add(new ArrayExample<>(new Regressor("y", data.target(i)), names, data.rows()[i]));
    }
    SparseLinearModel model = (SparseLinearModel) new LARSTrainer().train(examples);

    List<String> order = new ArrayList<>();
    for (int id = 0; id < model.getFeatureIDMap().size(); id++) {
      order.add(model.getFeatureIDMap().get(id).getName());
    }
    ModelProto.Builder onnx = model.exportONNXModel("io.mlqueue.bench", 1).toBuilder();
    Map.of(
            "mlqueue.name", "diabetes-onnx",
            "mlqueue.version", "1",
            "mlqueue.features", String.join(",", order),
            "mlqueue.target", "target")
        .forEach(
            (k, v) ->
                onnx.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    Files.write(modelFile, onnx.build().toByteArray());

    StringBuilder csv = new StringBuilder(String.join(",", order)).append(",target\n");
    for (int i = 0; i < data.size(); i++) {
      for (String name : order) {
        csv.append(data.rows()[i][data.featureNames().indexOf(name)]).append(',');
      }
      csv.append(data.target(i)).append('\n');
    }
    Files.writeString(dataFile, csv);
    System.out.println("wrote " + modelFile + " (inputs " + order + ") and " + dataFile);
  }
}
