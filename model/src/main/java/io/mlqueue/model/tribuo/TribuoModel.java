package io.mlqueue.model.tribuo;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import io.mlqueue.model.AtomicFiles;
import io.mlqueue.model.ModelFormatException;
import io.mlqueue.model.ServableModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.VariableInfo;
import org.tribuo.impl.ArrayExample;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * A Tribuo regression model (a tree, a random forest, boosted trees) behind {@link ServableModel}:
 * rows of features in the order of {@link #featureNames()}, one number out. Stored as Tribuo's
 * protobuf file ({@code model.tribuo}, not Java serialisation), which carries Tribuo's own
 * provenance of the fit plus the four entries {@code train} adds to it: the model's name and
 * version, its features in input order, and its target.
 *
 * <p>Thread-safe: Tribuo's models predict without shared mutable state.
 */
public final class TribuoModel implements ServableModel {

  /** Instance-provenance keys written at training time and read back at load. */
  public static final String NAME_KEY = "mlqueue.name";

  public static final String VERSION_KEY = "mlqueue.version";
  public static final String FEATURES_KEY = "mlqueue.features";
  public static final String TARGET_KEY = "mlqueue.target";

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]+");
  private static final RegressionFactory FACTORY = new RegressionFactory();

  private final Model<Regressor> model;
  private final String name;
  private final String version;
  private final List<String> featureNames;
  private final String[] features;
  private final String targetName;

  /** The same trees as flat arrays, when they reproduce Tribuo's answers; null otherwise. */
  private final CompiledTrees compiled;

  private TribuoModel(
      Model<Regressor> model, String name, String version, List<String> features, String target) {
    this.model = model;
    this.name = name;
    this.version = version;
    this.featureNames = List.copyOf(features);
    this.features = features.toArray(String[]::new);
    this.targetName = target;
    this.compiled = CompiledTrees.of(model, this.features, this::tribuoPredict).orElse(null);
  }

  /**
   * The instance provenance that {@link #of} and {@link #load} expect: pass it to Tribuo's {@code
   * Trainer.train(dataset, provenance)}.
   */
  public static Map<String, Provenance> provenance(
      String name, String version, List<String> features, String target) {
    return Map.of(
        NAME_KEY, new StringProvenance(NAME_KEY, name),
        VERSION_KEY, new StringProvenance(VERSION_KEY, version),
        FEATURES_KEY, new StringProvenance(FEATURES_KEY, String.join(",", features)),
        TARGET_KEY, new StringProvenance(TARGET_KEY, target));
  }

  /**
   * A model just trained with {@link #provenance} as its instance provenance.
   *
   * @throws IllegalArgumentException if it lacks that provenance or does not predict one number
   */
  public static TribuoModel of(Model<Regressor> model) {
    return check(model, "the trained model", null, null);
  }

  /**
   * Loads a {@code model.tribuo} file, served as {@code name:version} when they are given, else
   * under the name and version it was trained as.
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws ModelFormatException naming the file when it is not a Tribuo regression model written
   *     by {@code train}
   */
  public static TribuoModel load(Path file, String name, String version) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "Tribuo model not found");
    }
    Model<?> loaded;
    try {
      loaded = Model.deserializeFromFile(file);
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(
          "Tribuo model "
              + file
              + " cannot be read ("
              + e.getMessage()
              + "); it must be a file"
              + " written by 'mlqueue train --algo tree|forest|gbt'",
          e);
    }
    if (!(loaded.getOutputIDInfo().getDomain().iterator().next() instanceof Regressor)) {
      throw new ModelFormatException("Tribuo model " + file + " is not a regression model");
    }
    @SuppressWarnings("unchecked") // checked just above: its outputs are Regressors
    Model<Regressor> regression = (Model<Regressor>) loaded;
    return check(regression, "Tribuo model " + file, name, version);
  }

  private static TribuoModel check(
      Model<Regressor> model, String source, String servedName, String servedVersion) {
    Map<String, ? extends Provenance> given =
        model.getProvenance().getInstanceProvenance().getMap();
    String name = servedName != null ? servedName : text(given, NAME_KEY, source);
    String version = servedVersion != null ? servedVersion : text(given, VERSION_KEY, source);
    for (String[] token : new String[][] {{"name", name}, {"version", version}}) {
      if (!TOKEN.matcher(token[1]).matches()) {
        throw new ModelFormatException(
            "%s: its %s '%s' may use only letters, digits, '.', '_' and '-'"
                .formatted(source, token[0], token[1]));
      }
    }
    List<String> features = Arrays.asList(text(given, FEATURES_KEY, source).split(",", -1));
    Set<String> distinct = new HashSet<>(features);
    if (distinct.size() != features.size() || distinct.contains("")) {
      throw new ModelFormatException(
          source + ": its features " + features + " must be distinct and not blank");
    }
    List<String> unknown = new ArrayList<>();
    for (VariableInfo info : model.getFeatureIDMap()) {
      if (!distinct.contains(info.getName())) {
        unknown.add(info.getName());
      }
    }
    if (!unknown.isEmpty()) {
      throw new ModelFormatException(
          source + ": the model reads feature(s) " + unknown + " that are not among " + features);
    }
    int outputs = model.getOutputIDInfo().size();
    if (outputs != 1) {
      throw new ModelFormatException(
          source + ": predicts " + outputs + " numbers per row; the worker serves models of one");
    }
    return new TribuoModel(model, name, version, features, text(given, TARGET_KEY, source));
  }

  private static String text(Map<String, ? extends Provenance> given, String key, String source) {
    if (given.get(key) instanceof StringProvenance s) {
      return s.getValue();
    }
    throw new ModelFormatException(
        source + " lacks '" + key + "' in its provenance; it was not written by 'mlqueue train'");
  }

  /** Writes Tribuo's protobuf form of the model to {@code file}, replacing it in one rename. */
  public void save(Path file) throws IOException {
    AtomicFiles.write(file, model.serialize().toByteArray());
  }

  /** The Tribuo model, for its provenance. */
  public Model<Regressor> tribuoModel() {
    return model;
  }

  /** Whether rows are predicted from the trees laid out flat ({@link CompiledTrees}). */
  boolean compiled() {
    return compiled != null;
  }

  @Override
  public double predict(double[] row) {
    if (compiled != null && row.length >= features.length) {
      return compiled.predict(row);
    }
    return tribuoPredict(row);
  }

  private double tribuoPredict(double[] row) {
    Prediction<Regressor> p = model.predict(example(row));
    return p.getOutput().getValues()[0];
  }

  @Override
  public void predictBatch(double[][] rows, double[] out) {
    if (out.length != rows.length) {
      throw new IllegalArgumentException(
          rows.length + " rows but room for " + out.length + " predictions");
    }
    if (compiled != null) {
      for (int i = 0; i < out.length; i++) {
        out[i] = predict(rows[i]);
      }
      return;
    }
    List<Example<Regressor>> examples = new ArrayList<>(rows.length);
    for (double[] row : rows) {
      examples.add(example(row));
    }
    List<Prediction<Regressor>> predictions = model.predict(examples);
    for (int i = 0; i < out.length; i++) {
      out[i] = predictions.get(i).getOutput().getValues()[0];
    }
  }

  private Example<Regressor> example(double[] row) {
    return new ArrayExample<>(
        FACTORY.getUnknownOutput(), features, Arrays.copyOf(row, features.length));
  }

  @Override
  public void checkFeatures(double[] row) {
    if (row == null) {
      throw new IllegalArgumentException("no features given (null)");
    }
    if (row.length != features.length) {
      throw new IllegalArgumentException(
          "expected %d features (%s), got %d"
              .formatted(features.length, String.join(", ", featureNames), row.length));
    }
    for (int i = 0; i < row.length; i++) {
      if (!Double.isFinite(row[i])) {
        throw new IllegalArgumentException(
            "feature %d (%s) is %s, not a finite number".formatted(i, features[i], row[i]));
      }
    }
  }

  @Override
  public String id() {
    return name + ":" + version;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public List<String> featureNames() {
    return featureNames;
  }

  @Override
  public int featureCount() {
    return features.length;
  }

  @Override
  public String targetName() {
    return targetName;
  }

  @Override
  public String toString() {
    return "TribuoModel[%s, %s, %d features -> %s]"
        .formatted(id(), model.getClass().getSimpleName(), features.length, targetName);
  }
}
