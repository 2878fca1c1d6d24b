package io.mlqueue.model.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When publishing a version fails and cleaning up its staging directory fails too, the caller sees
 * the first failure, with the cleanup's attached as suppressed: the cleanup must not replace the
 * reason (issue 16, "causes lost").
 */
class PublishFailureTest {
  @TempDir Path dir;

  @Test
  void theRealFailureWinsOverAFailedCleanUp() throws Exception {
    IOException cleanUp = new IOException("staging directory is busy");
    ModelRegistry registry =
        new ModelRegistry(
            dir.resolve("registry"),
            staging -> {
              throw cleanUp;
            });
    // A stray file where version 1's directory must go: the rename into place fails.
    Files.createDirectories(dir.resolve("registry/price"));
    Files.writeString(dir.resolve("registry/price/1"), "not a version");

    assertThatThrownBy(() -> registry.register("price", Fits.line(dir, 3, 2, -0.5), null))
        .isInstanceOf(IOException.class)
        .isNotSameAs(cleanUp)
        .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(cleanUp));
  }
}
