package io.mlqueue.metric;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.mlqueue.contract.ModelLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLogWriterTest {
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00.123Z");
  @TempDir Path dir;

  @Test
  void writesOneRowPerIdAndModelAcrossARestartAndCutsATornTail() throws Exception {
    try (ModelLogWriter w = ModelLogWriter.open(dir, false, 100)) {
      assertThat(w.append(ModelLog.Row.of("1", "a:1", 10, 12, AT))).isTrue();
      assertThat(w.append(ModelLog.Row.of("1", "b:1", 10, 11, AT))).isTrue();
      assertThat(w.append(ModelLog.Row.of("1", "a:1", 10, 12, AT))).isFalse();
      w.flush();
    }
    Path file = dir.resolve(ModelLog.FILE_NAME);
    Files.writeString(file, "2,a:1,1.0,2", UTF_8, StandardOpenOption.APPEND); // torn by a crash
    List<ModelLog.Row> before = new ArrayList<>();
    try (ModelLogWriter w = ModelLogWriter.open(dir, false, 100, before::add)) {
      assertThat(before).hasSize(2);
      assertThat(w.isWritten("1", "b:1")).isTrue();
      assertThat(w.append(ModelLog.Row.of("1", "b:1", 10, 11, AT))).isFalse();
      assertThat(w.append(ModelLog.Row.of("2", "a:1", 1, 2, AT))).isTrue();
      w.flush();
    }
    assertThat(Files.readAllLines(file))
        .containsExactly(
            ModelLog.HEADER,
            "1,a:1,10.0,12.0,2.0,2026-01-01T00:00:00.123Z",
            "1,b:1,10.0,11.0,1.0,2026-01-01T00:00:00.123Z",
            "2,a:1,1.0,2.0,1.0,2026-01-01T00:00:00.123Z");
  }
}
