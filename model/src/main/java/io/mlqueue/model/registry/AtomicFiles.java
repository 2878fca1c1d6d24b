package io.mlqueue.model.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Files that readers see whole or not at all: written beside the target, forced, then renamed. */
final class AtomicFiles {
  private AtomicFiles() {}

  /** Replaces {@code file} with {@code text} (UTF-8) in one rename. */
  static void write(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel out =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        // On disk before the rename, or a crash could leave a renamed but empty file.
        out.force(true);
      }
      move(tmp, file, true);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Renames {@code from} to {@code to} atomically; without {@code replace} it fails when {@code
   * to} exists. Falls back to a plain rename only where the file system has no atomic one.
   */
  static void move(Path from, Path to, boolean replace) throws IOException {
    try {
      if (replace) {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        // ATOMIC_MOVE may replace an existing file on POSIX; the caller holds the name's lock and
        // has checked the target is free, so this cannot overwrite a version.
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (AtomicMoveNotSupportedException e) {
      if (replace) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(from, to);
      }
    }
  }
}
