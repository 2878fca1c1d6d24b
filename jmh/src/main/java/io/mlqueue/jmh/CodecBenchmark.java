package io.mlqueue.jmh;

import io.mlqueue.contract.FeatureRows;
import io.mlqueue.contract.FeaturesMessage;
import io.mlqueue.contract.InvalidMessageException;
import io.mlqueue.contract.MessageCodec;
import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.ValueMessage;
import io.mlqueue.contract.ValueRows;
import io.mlqueue.contract.WireFormat;
import io.mlqueue.data.Dataset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec, per message: what features, model and metric each spend on JSON for one pair,
 * single-row and bulk (100 rows), the bulk messages also in CBOR.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class CodecBenchmark {
  private final MessageCodec codec = new MessageCodec();
  private FeaturesMessage features;
  private ValueMessage prediction;
  private byte[] featuresBytes;
  private byte[] predictionBytes;
  private FeatureRows bulkFeatures;
  private byte[] bulkFeaturesBytes;
  private byte[] bulkPredictionBytes;
  private final MessageCodec cbor = codec.in(WireFormat.CBOR);
  private byte[] bulkFeaturesCbor;
  private byte[] bulkPredictionCbor;

  @Setup
  public void setUp() {
    Dataset data = Dataset.builtIn();
    MessageId id = MessageId.random();
    features = new FeaturesMessage(id, data.features(7), 1_795_919_445_832L);
    prediction =
        new ValueMessage(id, 206.11667724510565, "diabetes-ols:builtin", 1_795_919_445_832L);
    featuresBytes = codec.encode(features);
    predictionBytes = codec.encode(prediction);
    MessageId[] ids = new MessageId[100];
    double[][] rows = new double[100][];
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      ids[i] = MessageId.random();
      rows[i] = data.features(i);
      values[i] = data.target(i);
    }
    bulkFeatures = new FeatureRows(ids, rows, 1_795_919_445_832L, true);
    bulkFeaturesBytes = codec.encode(bulkFeatures);
    bulkPredictionBytes =
        codec.encode(new ValueRows(ids, values, "diabetes-ols:builtin", 1L, true));
    bulkFeaturesCbor = cbor.encode(bulkFeatures);
    bulkPredictionCbor = cbor.encode(new ValueRows(ids, values, "diabetes-ols:builtin", 1L, true));
  }

  @Benchmark
  public byte[] encodeFeatures() {
    return codec.encode(features);
  }

  @Benchmark
  public FeatureRows decodeFeatures() throws InvalidMessageException {
    return codec.decodeFeatureRows(featuresBytes);
  }

  @Benchmark
  public byte[] encodePrediction() {
    return codec.encode(prediction);
  }

  @Benchmark
  public ValueRows decodePrediction() throws InvalidMessageException {
    return codec.decodeValueRows(predictionBytes);
  }

  @Benchmark
  public MessageId newId() {
    return MessageId.random();
  }

  @Benchmark
  public byte[] encodeFeaturesBulk100() {
    return codec.encode(bulkFeatures);
  }

  @Benchmark
  public FeatureRows decodeFeaturesBulk100() throws InvalidMessageException {
    return codec.decodeFeatureRows(bulkFeaturesBytes);
  }

  @Benchmark
  public ValueRows decodePredictionBulk100() throws InvalidMessageException {
    return codec.decodeValueRows(bulkPredictionBytes);
  }

  @Benchmark
  public byte[] encodeFeaturesBulk100Cbor() {
    return cbor.encode(bulkFeatures);
  }

  @Benchmark
  public FeatureRows decodeFeaturesBulk100Cbor() throws InvalidMessageException {
    return cbor.decodeFeatureRows(bulkFeaturesCbor);
  }

  @Benchmark
  public ValueRows decodePredictionBulk100Cbor() throws InvalidMessageException {
    return cbor.decodeValueRows(bulkPredictionCbor);
  }
}
