package io.mlqueue.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AmqpSettingsTest {
  @Test
  void passwordsNeverShowInWhatIsLogged() {
    AmqpSettings s = AmqpSettings.of("amqp://user:s3cret@broker:5672/%2F");
    assertThat(s.redactedUri()).isEqualTo("amqp://user:****@broker:5672/%2F");
    assertThat(s.toString()).doesNotContain("s3cret");
    assertThat(AmqpSettings.redact("amqps://u:p@ss@h/v")).isEqualTo("amqps://u:****@h/v");
    assertThat(AmqpSettings.redact("amqp://localhost:5672")).isEqualTo("amqp://localhost:5672");
    assertThat(AmqpSettings.redact("amqp://user@host")).isEqualTo("amqp://user@host");
  }

  @Test
  void refusesWhatCannotWorkNamingTheSetting() {
    assertThatThrownBy(() -> AmqpSettings.of("http://user:s3cret@host"))
        .hasMessageContaining("--amqp-uri must start with amqp:// or amqps://")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> AmqpSettings.of("amqp://localhost").withPrefetch(0))
        .hasMessageContaining("--prefetch must be 1 to 65535");
  }

  @Test
  void compatModeNames() {
    assertThat(TopologyMode.fromCompat("course")).isEqualTo(TopologyMode.COURSE);
    assertThat(TopologyMode.fromCompat("none")).isEqualTo(TopologyMode.DURABLE);
    assertThatThrownBy(() -> TopologyMode.fromCompat("python"))
        .hasMessageContaining("unknown --compat value 'python'");
  }
}
