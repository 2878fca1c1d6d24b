package io.mlqueue.broker;

import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.SystemConfig;

/**
 * Keeps what {@code SystemLauncher.startup} does not hand back: the broker it built, and the error
 * it swallows when start-up fails (it logs the error and returns normally).
 */
final class StartupListener extends SystemLauncherListener.DefaultSystemLauncherListener {
  private volatile SystemConfig<?> systemConfig;
  private volatile RuntimeException error;

  @Override
  public void onContainerResolve(SystemConfig<?> config) {
    systemConfig = config;
  }

  @Override
  public void errorOnStartup(RuntimeException e) {
    error = e;
  }

  /** The started broker, or the start-up error rethrown. */
  Broker<?> broker() {
    if (error != null) {
      throw error;
    }
    if (systemConfig == null) {
      throw new IllegalStateException("the broker did not start and reported no error");
    }
    if (systemConfig.getContainer() instanceof Broker<?> broker) {
      return broker;
    }
    throw new IllegalStateException("the system config holds no broker");
  }
}
