package io.mlqueue.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The throw-away work directories of brokers started without one of their own. */
final class WorkDirs {
  private static final Logger LOG = LoggerFactory.getLogger(WorkDirs.class);

  private WorkDirs() {}

  static Path createTemp() {
    try {
      return Files.createTempDirectory("mlqueue-broker-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory for the broker", e);
    }
  }

  /** Deletes {@code dir} and all in it; a leftover temp file is not worth failing a close. */
  static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(WorkDirs::deleteOne);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not delete the broker work directory {}: {}", dir, e.toString());
    }
  }

  private static void deleteOne(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
