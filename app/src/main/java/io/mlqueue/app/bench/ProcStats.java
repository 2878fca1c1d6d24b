package io.mlqueue.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time and memory of processes on this machine, read from Linux's {@code /proc}: what a
 * benchmark needs to say where the CPU went, per process, while several share two cores.
 */
final class ProcStats {
  /** Linux reports CPU time in clock ticks of 1/100 s on every platform it runs on here. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /**
   * Whether {@code /proc} can be read (Linux): without it the CPU and memory figures are absent.
   */
  static boolean available() {
    return Files.isReadable(Path.of("/proc/self/stat"));
  }

  /** User plus system CPU seconds of {@code pid} so far; NaN once it has gone. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) is in parentheses and may hold spaces: count from after it.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Peak resident memory of {@code pid} in MiB (VmHWM); NaN once it has gone. */
  static double peakRssMib(long pid) {
    return statusKib(pid, "VmHWM:") / 1024.0;
  }

  /** Resident memory of {@code pid} now, in MiB (VmRSS); NaN once it has gone. */
  static double rssMib(long pid) {
    return statusKib(pid, "VmRSS:") / 1024.0;
  }

  private static double statusKib(long pid, String key) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
      for (String line : lines) {
        if (line.startsWith(key)) {
          return Double.parseDouble(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return Double.NaN;
  }

  /** The oldest process whose command name is {@code comm} (e.g. {@code beam.smp}), if any. */
  static OptionalLong findOldest(String comm) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> comm.equals(readTrimmed(p.resolve("comm"))))
          .mapToLong(p -> Long.parseLong(p.getFileName().toString()))
          .min();
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  private static String readTrimmed(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return "";
    }
  }
}
