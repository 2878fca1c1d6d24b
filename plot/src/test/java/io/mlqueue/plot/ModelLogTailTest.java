package io.mlqueue.plot;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.ModelLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLogTailTest {
  @TempDir Path dir;

  private final Instant now = Instant.ofEpochSecond(1005);
  private final ModelWindows windows =
      new ModelWindows(
          Duration.ofSeconds(10),
          6,
          Optional.empty(),
          InstantSource.fixed(now),
          ModelWindows.Listener.NONE);

  private Path csv() {
    return dir.resolve(ModelLog.FILE_NAME);
  }

  private static String row(String id, String model, double yTrue, double yPred) {
    return ModelLog.format(ModelLog.Row.of(id, model, yTrue, yPred, Instant.ofEpochSecond(1001)))
        + "\n";
  }

  private void append(String text) throws IOException {
    Files.writeString(
        csv(), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private long inWindows(String model) {
    return windows.timeline().models().stream()
        .filter(s -> s.model().equals(model))
        .mapToLong(s -> s.span().count())
        .sum();
  }

  @Test
  void readsAppendedRowsSkipsTheHeaderAndLeavesAHalfWrittenLineForLater() throws IOException {
    ModelLogTail tail = new ModelLogTail(csv(), windows);
    assertThat(tail.poll()).isZero();
    assertThat(tail.exists()).isFalse();

    append(
        ModelLog.HEADER
            + "\n"
            + row("a", "m:1", 10, 12)
            + row("a", "m:2", 10, 11)
            + "not,a,row\n"
            + "b,m:1,10");
    assertThat(tail.poll()).isEqualTo(2);
    assertThat(tail.exists()).isTrue();

    append(",13.0,3.0,1970-01-01T00:16:41Z\n");
    assertThat(tail.poll()).isEqualTo(1);
    assertThat(windows.rows("m:1")).isEqualTo(2);
    assertThat(windows.timeline().comparisons()).hasSize(1);
  }

  @Test
  void aReplacedLogClearsTheWindowsSoNoRowCountsTwiceThere() throws IOException {
    ModelLogTail tail = new ModelLogTail(csv(), windows);
    append(ModelLog.HEADER + "\n" + row("a", "m:1", 10, 12) + row("b", "m:1", 10, 12));
    tail.poll();
    assertThat(inWindows("m:1")).isEqualTo(2);

    Path other = dir.resolve("new.csv");
    Files.writeString(other, ModelLog.HEADER + "\n" + row("c", "m:1", 10, 12));
    Files.move(other, csv(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    tail.poll();

    assertThat(inWindows("m:1")).isEqualTo(1);
    assertThat(windows.rows("m:1")).isEqualTo(3); // the counters go on counting
  }
}
