package io.mlqueue.model.tribuo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.IndependentRegressionTreeModel;

/**
 * A regression tree or a random forest of Tribuo's, laid out as flat arrays that a row walks by
 * index. Tribuo predicts a row by building an {@code Example} with a name per feature, looking each
 * name up in its feature map and walking node objects; that cost 3–4 µs per tree and row (JFR: a
 * quarter of the model worker's CPU in a bulk run went to the drift monitor's 30-tree error model
 * alone). The arrays give the same numbers at a fraction of it.
 *
 * <p>Built only for what it reproduces exactly: one {@link IndependentRegressionTreeModel}, or a
 * {@link WeightedEnsembleModel} of them (a random forest, averaged), with one output. {@link #of}
 * then checks its answers against Tribuo's on probe rows whose values sit on, just below and just
 * above the trees' own split points, and refuses to exist if any differs: a Tribuo release that
 * changed its trees' meaning falls back to Tribuo itself.
 */
final class CompiledTrees {
  /** Index of the node's input in the row, or -1 for a leaf. */
  private final int[] input;

  /** A row goes right (greater) when its value is above this, left otherwise, as Tribuo's split. */
  private final double[] threshold;

  private final int[] left;
  private final int[] right;

  /** A leaf's output. */
  private final double[] value;

  private final int[] roots;

  private CompiledTrees(
      int[] input, double[] threshold, int[] left, int[] right, double[] value, int[] roots) {
    this.input = input;
    this.threshold = threshold;
    this.left = left;
    this.right = right;
    this.value = value;
    this.roots = roots;
  }

  /**
   * The trees of {@code model}, which reads rows of {@code features} in that order; empty unless
   * the model is of a kind this class reproduces and agrees with {@code tribuo}, the model's own
   * prediction, on every probe row.
   */
  static Optional<CompiledTrees> of(
      Model<Regressor> model, String[] features, ToDoubleFunction<double[]> tribuo) {
    List<Node<Regressor>> trees = new ArrayList<>();
    if (model instanceof IndependentRegressionTreeModel tree) {
      if (!addRoot(tree, trees)) {
        return Optional.empty();
      }
    } else if (model instanceof WeightedEnsembleModel<Regressor> ensemble) {
      for (Model<Regressor> member : ensemble.getModels()) {
        if (!(member instanceof IndependentRegressionTreeModel tree) || !addRoot(tree, trees)) {
          return Optional.empty();
        }
      }
    } else {
      return Optional.empty();
    }
    Optional<CompiledTrees> compiled = build(trees, model.getFeatureIDMap(), features);
    if (compiled.isEmpty()) {
      return compiled;
    }
    for (double[] row : compiled.get().probes(features.length, PROBES)) {
      double mine = compiled.get().predict(row);
      double theirs = tribuo.applyAsDouble(row);
      if (!(Math.abs(mine - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs)))) {
        return Optional.empty();
      }
    }
    return compiled;
  }

  private static boolean addRoot(IndependentRegressionTreeModel tree, List<Node<Regressor>> trees) {
    Map<String, Node<Regressor>> roots = tree.getRoots();
    if (roots.size() != 1) {
      return false;
    }
    trees.add(roots.values().iterator().next());
    return true;
  }

  private static Optional<CompiledTrees> build(
      List<Node<Regressor>> trees, ImmutableFeatureMap featureMap, String[] features) {
    // Tribuo's feature id -> the row's index of that feature.
    int[] inputOf = new int[featureMap.size()];
    java.util.Arrays.fill(inputOf, -1);
    for (int i = 0; i < features.length; i++) {
      int id = featureMap.getID(features[i]);
      if (id >= 0 && id < inputOf.length) {
        inputOf[id] = i;
      }
    }
    Nodes nodes = new Nodes();
    int[] roots = new int[trees.size()];
    for (int t = 0; t < roots.length; t++) {
      roots[t] = nodes.add(trees.get(t), inputOf);
      if (roots[t] < 0) {
        return Optional.empty();
      }
    }
    return Optional.of(nodes.compiled(roots));
  }

  /** Rows checked against Tribuo before the arrays are used. */
  static final int PROBES = 200;

  /**
   * {@code count} rows of {@code width} values, each either one of the split points of its input,
   * or that point moved by the smallest step either way, or 0 (an input no tree splits on): every
   * boundary the trees draw is met from both sides and on it. Fixed seed: the same every time.
   */
  List<double[]> probes(int width, int count) {
    List<List<Double>> points = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      points.add(new ArrayList<>());
    }
    for (int n = 0; n < input.length; n++) {
      if (input[n] >= 0) {
        points.get(input[n]).add(threshold[n]);
      }
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(20261205L);
    List<double[]> rows = new ArrayList<>(count);
    for (int r = 0; r < count; r++) {
      double[] row = new double[width];
      for (int i = 0; i < width; i++) {
        List<Double> at = points.get(i);
        if (at.isEmpty()) {
          continue;
        }
        double x = at.get(random.nextInt(at.size()));
        row[i] =
            switch (random.nextInt(3)) {
              case 0 -> Math.nextDown(x);
              case 1 -> Math.nextUp(x);
              default -> x;
            };
      }
      rows.add(row);
    }
    return rows;
  }

  /** The number of trees. */
  int trees() {
    return roots.length;
  }

  /**
   * The mean of the trees' outputs for {@code row}, computed as Tribuo's averaging combiner does (a
   * running mean, weight 1 each), so that it matches to the last bit.
   */
  double predict(double[] row) {
    double mean = 0;
    double weights = 0;
    for (int root : roots) {
      int n = root;
      while (input[n] >= 0) {
        n = row[input[n]] > threshold[n] ? right[n] : left[n];
      }
      weights += 1;
      mean += (1 / weights) * (value[n] - mean);
    }
    return mean;
  }

  /** The nodes as they are added, depth first; then the arrays. */
  private static final class Nodes {
    private final List<int[]> links = new ArrayList<>(); // {input, left, right}
    private final List<double[]> numbers = new ArrayList<>(); // {threshold, value}

    /** Adds {@code node} and its subtree; its index, or -1 for a node this class cannot hold. */
    int add(Node<Regressor> node, int[] inputOf) {
      int index = links.size();
      if (node instanceof LeafNode<Regressor> leaf) {
        double[] values = leaf.getOutput().getValues();
        if (values.length != 1) {
          return -1;
        }
        links.add(new int[] {-1, -1, -1});
        numbers.add(new double[] {Double.NaN, values[0]});
        return index;
      }
      if (!(node instanceof SplitNode<Regressor> split)) {
        return -1;
      }
      int id = split.getFeatureID();
      if (id < 0 || id >= inputOf.length || inputOf[id] < 0) {
        return -1;
      }
      int[] link = {inputOf[id], -1, -1};
      links.add(link);
      numbers.add(new double[] {split.splitValue(), Double.NaN});
      link[1] = add(split.getLessThanOrEqual(), inputOf);
      link[2] = add(split.getGreaterThan(), inputOf);
      return link[1] < 0 || link[2] < 0 ? -1 : index;
    }

    CompiledTrees compiled(int[] roots) {
      int n = links.size();
      int[] input = new int[n];
      int[] left = new int[n];
      int[] right = new int[n];
      double[] threshold = new double[n];
      double[] value = new double[n];
      for (int i = 0; i < n; i++) {
        input[i] = links.get(i)[0];
        left[i] = links.get(i)[1];
        right[i] = links.get(i)[2];
        threshold[i] = numbers.get(i)[0];
        value[i] = numbers.get(i)[1];
      }
      return new CompiledTrees(input, threshold, left, right, value, roots);
    }
  }
}
