package io.mlqueue.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A small tmpfs of its own per test, to make a disk fill up on purpose: {@link #fill} writes a
 * filler file until the file system is full, and {@link #free} deletes it again. {@code chmod}
 * cannot make a directory unwritable for root, which these tests run as in CI; a full file system
 * stops root too.
 *
 * <p>Mounting needs root with {@code CAP_SYS_ADMIN}. Where that is missing the test is skipped (a
 * JUnit assumption saying why), not failed. After the test the file system is unmounted — lazily if
 * a process still holds a file on it — so register this extension before {@link ServiceProcesses}
 * ({@code @Order(0)}): after-each callbacks run in reverse order, so the services are gone by the
 * time it unmounts.
 */
final class TmpfsMount implements BeforeEachCallback, AfterEachCallback {
  private static final String FILLER = "filler";
  private static final long COMMAND_SECONDS = 30;

  private final String size;
  private Path dir;

  /** A tmpfs of {@code size}, in mount's notation, e.g. {@code 8m}. */
  TmpfsMount(String size) {
    this.size = size;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    Path mountPoint = Files.createTempDirectory("mlqueue-tmpfs");
    Result mount =
        run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
    if (mount.code() != 0) {
      Files.deleteIfExists(mountPoint);
      Assumptions.assumeTrue(
          false,
          "cannot mount a tmpfs (needs root with CAP_SYS_ADMIN) to fill a disk on purpose: "
              + mount.output());
    }
    dir = mountPoint;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (dir == null) {
      return;
    }
    try {
      if (run("umount", dir.toString()).code() != 0) {
        // Busy: detach it now; the kernel frees it when the last file on it is closed.
        Result lazy = run("umount", "-l", dir.toString());
        if (lazy.code() != 0) {
          throw new IOException("cannot unmount the tmpfs at " + dir + ": " + lazy.output());
        }
      }
      Files.deleteIfExists(dir);
    } finally {
      dir = null;
    }
  }

  /** The root of the tmpfs. */
  Path dir() {
    if (dir == null) {
      throw new IllegalStateException("no tmpfs: use TmpfsMount as a @RegisterExtension field");
    }
    return dir;
  }

  /**
   * Writes a filler file until the file system refuses more ({@code ENOSPC}); returns its size. The
   * file system is full afterwards, except for the unused rest of the pages other files already
   * hold.
   */
  long fill() throws IOException {
    Path filler = dir().resolve(FILLER);
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException full) {
      // Expected: "No space left on device". Anything else would have failed the first write.
      if (written == 0) {
        throw full;
      }
    }
    return written;
  }

  /** Deletes the filler file: the file system has room again. */
  void free() throws IOException {
    Files.delete(dir().resolve(FILLER));
  }

  private record Result(int code, String output) {}

  private static Result run(String... command) throws IOException, InterruptedException {
    List<String> args = List.of(command);
    Process p;
    try {
      p = new ProcessBuilder(args).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, args.get(0) + " cannot be run: " + e.getMessage());
    }
    if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, String.join(" ", args) + " timed out");
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.exitValue(), output.strip());
  }
}
