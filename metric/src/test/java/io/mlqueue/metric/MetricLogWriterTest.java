package io.mlqueue.metric;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.mlqueue.contract.MessageId;
import io.mlqueue.contract.MetricLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricLogWriterTest {
  private static final String HEADER_LINE = MetricLog.HEADER + "\n";

  @TempDir Path dir;

  private Path file() {
    return dir.resolve(MetricLog.FILE_NAME);
  }

  private String content() throws IOException {
    return Files.readString(file(), UTF_8);
  }

  private MetricLogWriter open() throws IOException {
    return MetricLogWriter.open(dir, MetricLogWriter.Config.DEFAULT);
  }

  @Test
  void createsTheDirectoryAndWritesTheHeaderAtOnce() throws IOException {
    Path nested = dir.resolve("logs/metric");
    try (MetricLogWriter writer = MetricLogWriter.open(nested, MetricLogWriter.Config.DEFAULT)) {
      assertThat(writer.file()).isEqualTo(nested.resolve(MetricLog.FILE_NAME));
      assertThat(Files.readString(writer.file(), UTF_8)).isEqualTo(HEADER_LINE);
    }
  }

  @Test
  void writesTheHeaderIntoAnEmptyExistingFile() throws IOException {
    Files.createFile(file());
    open().close();
    assertThat(content()).isEqualTo(HEADER_LINE);
  }

  @Test
  void rowsHaveTheContractFormat() throws IOException {
    try (MetricLogWriter writer = open()) {
      assertThat(writer.append(MetricLog.Row.of("a", 3.5, 1.25))).isTrue();
      writer.flush();
    }
    assertThat(content()).isEqualTo(HEADER_LINE + "a,3.5,1.25,2.25\n");
  }

  @Test
  void absoluteErrorIsTheDistanceBetweenTruthAndPrediction() throws IOException {
    Random random = new Random(1);
    try (MetricLogWriter writer = open()) {
      for (int i = 0; i < 200; i++) {
        Pair<String> pair =
            new Pair<>(
                MessageId.random(), 300 * random.nextDouble(), 300 * random.nextDouble(), "t", "p");
        writer.append(pair.toRow());
      }
    }
    List<String> lines = Files.readAllLines(file(), UTF_8);
    assertThat(lines).hasSize(201).first().isEqualTo(MetricLog.HEADER);
    for (String line : lines.subList(1, lines.size())) {
      MetricLog.Row row = MetricLog.parse(line);
      assertThat(row.absoluteError()).isEqualTo(Math.abs(row.yTrue() - row.yPred()));
    }
  }

  @Test
  void aRepeatedIdGetsNoSecondRow() throws IOException {
    try (MetricLogWriter writer = open()) {
      assertThat(writer.append(MetricLog.Row.of("a", 1, 2))).isTrue();
      assertThat(writer.append(MetricLog.Row.of("a", 1, 2))).as("before the flush").isFalse();
      writer.flush();
      assertThat(writer.append(MetricLog.Row.of("a", 1, 2))).as("after the flush").isFalse();
      assertThat(writer.isWritten(MessageId.of("a"))).isTrue();
      assertThat(writer.isWritten(MessageId.of("b"))).isFalse();
    }
    assertThat(Files.readAllLines(file(), UTF_8)).hasSize(2);
  }

  @Test
  void numericAndStringIdsWithTheSameTextShareOneRow() throws IOException {
    try (MetricLogWriter writer = open()) {
      Pair<String> numeric = new Pair<>(MessageId.ofNumber("1700000000.25"), 1, 2, "t", "p");
      Pair<String> string = new Pair<>(MessageId.of("1700000000.25"), 1, 2, "t", "p");
      assertThat(writer.append(numeric.toRow())).isTrue();
      assertThat(writer.isWritten(string.id())).isTrue();
      assertThat(writer.append(string.toRow())).isFalse();
    }
  }

  @Test
  void idsAlreadyInTheFileAreRefusedAfterAReopen() throws IOException {
    try (MetricLogWriter writer = open()) {
      writer.append(MetricLog.Row.of("a", 1, 2));
      writer.append(MetricLog.Row.of("b", 3, 5));
    }
    List<MetricLog.Row> reported = new ArrayList<>();
    try (MetricLogWriter writer =
        MetricLogWriter.open(dir, MetricLogWriter.Config.DEFAULT, reported::add)) {
      assertThat(reported)
          .containsExactly(MetricLog.Row.of("a", 1, 2), MetricLog.Row.of("b", 3, 5));
      assertThat(writer.isWritten(MessageId.of("a"))).isTrue();
      assertThat(writer.append(MetricLog.Row.of("b", 3, 5))).isFalse();
      assertThat(writer.append(MetricLog.Row.of("c", 4, 4))).isTrue();
    }
    assertThat(content()).isEqualTo(HEADER_LINE + "a,1.0,2.0,1.0\nb,3.0,5.0,2.0\nc,4.0,4.0,0.0\n");
  }

  @Test
  void theExistingRowsSeedTheRunningMetrics() throws IOException {
    try (MetricLogWriter writer = open()) {
      writer.append(MetricLog.Row.of("a", 1, 2));
      writer.append(MetricLog.Row.of("b", 3, 6));
    }
    RunningMetrics metrics = new RunningMetrics();
    MetricLogWriter.open(dir, MetricLogWriter.Config.DEFAULT, metrics::add).close();
    assertThat(metrics.snapshot().count()).isEqualTo(2);
    assertThat(metrics.snapshot().mae()).isCloseTo(2, within(1e-12));
  }

  @Test
  void quotedIdsSurviveAReopen() throws IOException {
    String odd = "x,\"y\"";
    try (MetricLogWriter writer = open()) {
      writer.append(MetricLog.Row.of(odd, 1, 2));
    }
    assertThat(content()).isEqualTo(HEADER_LINE + "\"x,\"\"y\"\"\",1.0,2.0,1.0\n");
    try (MetricLogWriter writer = open()) {
      assertThat(writer.isWritten(MessageId.of(odd))).isTrue();
    }
  }

  @Test
  void aTornLastLineWithoutLineBreakIsRemoved() throws IOException {
    Files.writeString(file(), HEADER_LINE + "a,1.0,2.0,1.0\nb,3.0,5.0,2", UTF_8);
    try (MetricLogWriter writer = open()) {
      assertThat(content()).isEqualTo(HEADER_LINE + "a,1.0,2.0,1.0\n");
      assertThat(writer.isWritten(MessageId.of("b"))).isFalse();
      assertThat(writer.append(MetricLog.Row.of("b", 3, 5))).isTrue();
    }
    assertThat(content()).isEqualTo(HEADER_LINE + "a,1.0,2.0,1.0\nb,3.0,5.0,2.0\n");
  }

  @Test
  void anUnparseableLastLineIsRemoved() throws IOException {
    Files.writeString(file(), HEADER_LINE + "a,1.0,2.0,1.0\nb,3.0,\n", UTF_8);
    open().close();
    assertThat(content()).isEqualTo(HEADER_LINE + "a,1.0,2.0,1.0\n");
  }

  @Test
  void aTornHeaderIsRewritten() throws IOException {
    Files.writeString(file(), "id,y_tr", UTF_8);
    open().close();
    assertThat(content()).isEqualTo(HEADER_LINE);
  }

  @Test
  void anUnparseableLineInTheMiddleIsKeptButNotCounted() throws IOException {
    String original = HEADER_LINE + "a,1.0,2.0,1.0\ngarbage\nb,3.0,5.0,2.0\n";
    Files.writeString(file(), original, UTF_8);
    List<MetricLog.Row> reported = new ArrayList<>();
    MetricLogWriter.open(dir, MetricLogWriter.Config.DEFAULT, reported::add).close();
    assertThat(reported).extracting(MetricLog.Row::id).containsExactly("a", "b");
    assertThat(content()).isEqualTo(original);
  }

  @Test
  void crlfLineEndingsAreRead() throws IOException {
    Files.writeString(file(), MetricLog.HEADER + "\r\na,1.0,2.0,1.0\r\n", UTF_8);
    try (MetricLogWriter writer = open()) {
      assertThat(writer.isWritten(MessageId.of("a"))).isTrue();
    }
  }

  @Test
  void aHeaderWithQuotedNamesIsAMetricLogHeader() throws IOException {
    Files.writeString(
        file(), "\"id\",\"y_true\",\"y_pred\",\"absolute_error\"\n\"a\",1.0,2.0,1.0\n", UTF_8);
    try (MetricLogWriter writer = open()) {
      assertThat(writer.isWritten(MessageId.of("a"))).isTrue();
    }
  }

  @Test
  void aFileThatIsNotAMetricLogIsLeftAlone() throws IOException {
    String foreign = ",id,y_true,y_pred,absolute_error\n0,a,1.0,2.0,1.0\n";
    Files.writeString(file(), foreign, UTF_8);
    assertThatThrownBy(this::open)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a metric log");
    assertThat(content()).isEqualTo(foreign);
  }

  @Test
  void rowsAreBufferedUntilTheFlush() throws IOException {
    try (MetricLogWriter writer = open()) {
      writer.append(MetricLog.Row.of("a", 1, 2));
      writer.append(MetricLog.Row.of("b", 1, 2));
      assertThat(content()).isEqualTo(HEADER_LINE);
      writer.flush();
      assertThat(Files.readAllLines(file(), UTF_8)).hasSize(3);
    }
  }

  @Test
  void forceModeWritesTheSameFile() throws IOException {
    try (MetricLogWriter writer = MetricLogWriter.open(dir, new MetricLogWriter.Config(true, 10))) {
      writer.append(MetricLog.Row.of("a", 1, 2));
      writer.flush();
      assertThat(content()).isEqualTo(HEADER_LINE + "a,1.0,2.0,1.0\n");
    }
  }

  @Test
  void idsWithALineBreakCannotBeLogged() throws IOException {
    assertThat(MetricLogWriter.isLoggable(MessageId.of("a\nb"))).isFalse();
    assertThat(MetricLogWriter.isLoggable(MessageId.of("a\rb"))).isFalse();
    assertThat(MetricLogWriter.isLoggable(MessageId.of("a,b"))).isTrue();
    try (MetricLogWriter writer = open()) {
      assertThatThrownBy(() -> writer.append(MetricLog.Row.of("a\nb", 1, 2)))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(content()).isEqualTo(HEADER_LINE);
  }

  @Test
  void aClosedWriterRefusesWork() throws IOException {
    MetricLogWriter writer = open();
    writer.close();
    writer.close();
    assertThatThrownBy(() -> writer.append(MetricLog.Row.of("a", 1, 2)))
        .isInstanceOf(IOException.class);
  }
}
