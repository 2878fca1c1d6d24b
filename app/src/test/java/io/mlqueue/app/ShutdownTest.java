package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM stops a service with exit code 0 without cutting the JVM's other shutdown hooks short
 * (logging's flush among them), and a failure keeps its non-zero exit code. Each case runs {@link
 * ShutdownProbe} in a JVM of its own, since a signal and an exit end the process.
 */
class ShutdownTest {

  @Test
  void sigtermStopsAGuardedServiceWithExitZeroAndLetsOtherHooksFinish() throws Exception {
    Probe probe = Probe.start("guard");
    probe.awaitLine("probe: ready");
    probe.sigterm();
    assertThat(probe.exitCode()).as(probe.output()).isZero();
    assertThat(probe.output()).contains("probe: closed", "other hook: done");
  }

  @Test
  void sigtermDuringStartUpStopsTheServiceWithoutWaitingForTheStartUp() throws Exception {
    Probe probe = Probe.start("guard-starting");
    probe.awaitLine("probe: ready");
    probe.sigterm();
    assertThat(probe.exitCode()).as(probe.output()).isZero();
    assertThat(probe.output()).contains("probe: closed", "other hook: done");
  }

  @Test
  void aCommandThatFailsBecauseTheStopClosedItsConnectionStillExitsZeroWithoutAnError()
      throws Exception {
    Probe probe = Probe.start("command-failing-on-stop");
    probe.awaitLine("probe: ready");
    probe.sigterm();
    assertThat(probe.exitCode()).as(probe.output()).isZero();
    assertThat(probe.output()).contains("other hook: done").doesNotContain("mlqueue probe:");
  }

  @Test
  void sigtermStopsMainThreadWorkWithExitZeroAndLetsOtherHooksFinish() throws Exception {
    Probe probe = Probe.start("main-thread");
    probe.awaitLine("probe: ready");
    probe.sigterm();
    assertThat(probe.exitCode()).as(probe.output()).isZero();
    assertThat(probe.output()).contains("probe: finished", "other hook: done");
  }

  @Test
  void aServiceThatFailsAtStartUpKeepsItsExitCodeAndClosesWhatItOpened() throws Exception {
    Probe probe = Probe.start("guard-fails");
    assertThat(probe.exitCode()).as(probe.output()).isEqualTo(1);
    assertThat(probe.output()).contains("probe: failing", "probe: closed", "other hook: done");
  }

  /** The probe's JVM, its standard output and error read as they come. */
  private record Probe(Process process, List<String> lines, Thread reader) {
    static Probe start(String mode) throws Exception {
      Process process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  System.getProperty("java.class.path"),
                  ShutdownProbe.class.getName(),
                  mode)
              .redirectErrorStream(true)
              .start();
      List<String> lines = new ArrayList<>();
      Thread reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8))) {
                      String line;
                      while ((line = in.readLine()) != null) {
                        synchronized (lines) {
                          lines.add(line);
                          lines.notifyAll();
                        }
                      }
                    } catch (java.io.IOException e) {
                      // the process ended
                    }
                  });
      return new Probe(process, lines, reader);
    }

    void awaitLine(String wanted) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      synchronized (lines) {
        while (!lines.contains(wanted)) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          assertThat(left).as("'%s' within 20 s; output: %s", wanted, lines).isPositive();
          lines.wait(left);
        }
      }
    }

    /** SIGTERM, through the handle: {@link Process#destroy} would also close the output pipe. */
    void sigterm() {
      process.toHandle().destroy();
    }

    int exitCode() throws InterruptedException {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("the probe did not exit within 20 s; output: " + output());
      }
      reader.join(5_000); // the last lines, up to the end of the stream
      return process.exitValue();
    }

    String output() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }
  }
}
