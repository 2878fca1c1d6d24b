package io.mlqueue.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A service in miniature for {@link ShutdownTest}, run in a JVM of its own: it stops through {@link
 * Shutdown} as the real ones do, beside another shutdown hook that takes a while (as a logging
 * framework's flush does), and exits through {@link System#exit} as {@link Main} does.
 */
final class ShutdownProbe {
  private ShutdownProbe() {}

  public static void main(String[] args) throws Exception {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sleep(Duration.ofMillis(500));
                  System.out.println("other hook: done");
                }));
    System.exit(
        switch (args[0]) {
          case "guard" -> guard(false);
          case "guard-fails" -> guard(true);
          case "guard-starting" -> starting();
          case "command-failing-on-stop" ->
              Main.commandLine(new FailingOnStop(), new EnvironmentDefaults(java.util.Map.of()))
                  .execute();
          case "main-thread" -> mainThread();
          default -> throw new IllegalArgumentException(args[0]);
        });
  }

  /** A service the main thread only keeps alive, as {@code model} or {@code gateway}. */
  private static int guard(boolean failAtStartUp) throws InterruptedException {
    Shutdown.Guard guard = Shutdown.install("probe");
    guard.closeOnStop(() -> System.out.println("probe: closed"));
    if (failAtStartUp) {
      System.out.println("probe: failing");
      return 1; // as Main returns for a command that threw: a port taken, say
    }
    System.out.println("probe: ready");
    guard.awaitStop();
    return 0;
  }

  /**
   * A service still starting when the signal comes, its main thread busy elsewhere (waiting for the
   * broker, say): the stop must not wait for that to end.
   */
  private static int starting() {
    Shutdown.Guard guard = Shutdown.install("probe");
    guard.closeOnStop(() -> System.out.println("probe: closed"));
    System.out.println("probe: ready");
    sleep(Duration.ofMinutes(5));
    return 2;
  }

  /**
   * A command still starting when the signal comes, which then fails because the stop closed its
   * connection under it, as {@code model} does while it declares its queues.
   */
  @picocli.CommandLine.Command(name = "probe")
  static final class FailingOnStop implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      Shutdown.Guard guard = Shutdown.install("probe");
      AtomicBoolean connectionOpen = new AtomicBoolean(true);
      guard.closeOnStop(() -> connectionOpen.set(false));
      System.out.println("probe: ready");
      while (connectionOpen.get()) {
        sleep(Duration.ofMillis(10));
      }
      throw new IllegalStateException("connection is already closed");
    }
  }

  /** A service whose work runs on the main thread, as {@code features}. */
  private static int mainThread() {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Shutdown.onSignal("probe", () -> stop.set(true), finished);
    System.out.println("probe: ready");
    while (!stop.get()) {
      sleep(Duration.ofMillis(10));
    }
    System.out.println("probe: finished");
    finished.countDown();
    return 0;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
