package io.mlqueue.app;

import io.helidon.logging.common.spi.LoggingProvider;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Tells Helidon how this application logs: through SLF4J and Logback, with {@code
 * java.util.logging} (Helidon's own) bridged into them. Without a provider on the class path,
 * Helidon prints "There is no Helidon logging implementation on classpath" on standard error when
 * its first server starts, in the middle of a service's output.
 */
public final class HelidonLogging implements LoggingProvider {

  @Override
  public void initialization() {
    // Main installs the bridge first; a server started elsewhere (a test, an embedding) gets it
    // here.
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  @Override
  public void runTime() {
    // Logback reads its configuration by itself; nothing changes once the process runs.
  }
}
