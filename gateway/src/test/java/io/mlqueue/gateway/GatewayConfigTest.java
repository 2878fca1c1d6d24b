package io.mlqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  @Test
  void hasTheDocumentedDefaults() {
    GatewayConfig c = GatewayConfig.defaults();

    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.maxInstances()).isEqualTo(1_000);
    assertThat(c.maxBodyBytes()).isEqualTo(1 << 20);
  }

  @Test
  void acceptsTheBounds() {
    GatewayConfig c =
        GatewayConfig.defaults()
            .withPort(0)
            .withTimeout(Duration.ofMillis(1))
            .withMaxInstances(10_000)
            .withMaxBodyBytes(64);

    assertThat(c.port()).isZero();
    assertThat(GatewayConfig.defaults().withPort(65_535).port()).isEqualTo(65_535);
  }

  @Test
  void namesTheOptionOfABadValue() {
    GatewayConfig d = GatewayConfig.defaults();
    assertThatThrownBy(() -> d.withPort(-1))
        .hasMessageStartingWith("--port ")
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> d.withPort(65_536)).hasMessageStartingWith("--port ");
    assertThatThrownBy(() -> d.withTimeout(Duration.ZERO))
        .hasMessageStartingWith("--timeout ")
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> d.withTimeout(Duration.ofMillis(-5)))
        .hasMessageStartingWith("--timeout ");
    assertThatThrownBy(() -> d.withTimeout(Duration.ofHours(1)))
        .hasMessageStartingWith("--timeout ");
    assertThatThrownBy(() -> d.withMaxInstances(0))
        .hasMessageStartingWith("--max-instances ")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> d.withMaxInstances(10_001)).hasMessageStartingWith("--max-instances ");
    assertThatThrownBy(() -> d.withMaxBodyBytes(10))
        .hasMessageStartingWith("--max-body ")
        .hasMessageContaining("10 bytes");
    assertThatThrownBy(() -> d.withMaxBodyBytes(Integer.MAX_VALUE))
        .hasMessageStartingWith("--max-body ");
    assertThatThrownBy(() -> d.withHost(" ")).hasMessageContaining("host");
  }

  @Test
  void limitsHaveTheDocumentedDefaultsAndNameTheOptionOfABadValue() {
    ConnectionLimits l = GatewayConfig.defaults().limits();
    assertThat(l.readTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(l.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(l.maxConnections()).isEqualTo(2_048);
    assertThat(l.maxConcurrentRequests()).isEqualTo(1_024);
    assertThat(l.idleCheckPeriod()).isEqualTo(Duration.ofSeconds(1));
    assertThat(l.withIdleTimeout(Duration.ofSeconds(2)).idleCheckPeriod())
        .isEqualTo(Duration.ofMillis(500));

    assertThatThrownBy(() -> l.withReadTimeout(Duration.ofMillis(10)))
        .hasMessageStartingWith("--read-timeout ");
    assertThatThrownBy(() -> l.withIdleTimeout(Duration.ofHours(2)))
        .hasMessageStartingWith("--idle-timeout ");
    assertThatThrownBy(() -> l.withMaxConnections(0))
        .hasMessageStartingWith("--max-connections ")
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> l.withMaxConcurrentRequests(-1))
        .hasMessageStartingWith("--max-concurrent-requests ");
  }

  @Test
  void urlReachesAWildcardBindThroughLoopback() {
    assertThat(GatewayServer.url("0.0.0.0", 8080)).isEqualTo("http://127.0.0.1:8080");
    assertThat(GatewayServer.url("::", 8080)).isEqualTo("http://[::1]:8080");
    assertThat(GatewayServer.url("127.0.0.1", 1)).isEqualTo("http://127.0.0.1:1");
    assertThat(GatewayServer.url("fe80::1", 1)).isEqualTo("http://[fe80::1]:1");
    assertThat(GatewayServer.url("gateway.local", 1)).isEqualTo("http://gateway.local:1");
  }
}
