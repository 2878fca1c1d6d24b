package io.mlqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.logging.common.spi.LoggingProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class HelidonLoggingTest {

  @Test
  void helidonFindsThisApplicationsLoggingProvider() {
    // Without one, Helidon writes a line about it on standard error when a server starts.
    assertThat(ServiceLoader.load(LoggingProvider.class).stream().map(ServiceLoader.Provider::type))
        .containsExactly(HelidonLogging.class);
  }
}
