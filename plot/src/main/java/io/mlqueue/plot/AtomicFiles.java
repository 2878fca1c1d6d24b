package io.mlqueue.plot;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/** Replaces a file so that readers see either the old content or the new, never a partial write. */
final class AtomicFiles {

  /** Suffix of the temporary files; a crash may leave one behind, and its name says what it is. */
  static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  /**
   * Writes {@code bytes} to a temporary file beside {@code target}, then renames it over the
   * target.
   *
   * <p>The temporary file lives in the same directory because a rename is only atomic within one
   * file system. It is created with {@code CREATE_NEW} rather than {@code Files.createTempFile},
   * which would make it owner-only ({@code 0600}) and so hide the image from a reader running as
   * another user (a web server or a container sharing the bind mount).
   *
   * <p>There is no fsync: the image is redrawn from the CSV on the next change or restart, so
   * losing the last write to a power cut costs nothing worth a disk flush every few seconds.
   */
  static void write(Path target, byte[] bytes) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp =
        dir.resolve(
            "."
                + target.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + TEMP_SUFFIX);
    try {
      Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        // Some file systems (certain network or FUSE mounts) refuse an atomic rename; a replacing
        // move is the best left, and still never shows a half-written file under the target name.
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }
}
