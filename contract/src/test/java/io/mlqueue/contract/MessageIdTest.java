package io.mlqueue.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageIdTest {
  @Test
  void freshIdsAreVersion4UuidsAndNeverRepeatAcrossThreads() {
    Set<String> seen = ConcurrentHashMap.newKeySet();
    IntStream.range(0, 200_000).parallel().forEach(i -> seen.add(MessageId.random().text()));

    assertThat(seen).hasSize(200_000);
    UUID uuid = UUID.fromString(seen.iterator().next());
    assertThat(uuid.version()).isEqualTo(4);
    assertThat(uuid.variant()).isEqualTo(2); // RFC 4122
  }

  @Test
  void freshIdsAreStringsNotNumbers() {
    MessageId id = MessageId.random();
    assertThat(id.numeric()).isFalse();
    assertThat(id.text()).hasSize(36);
    Set<String> prefixes = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      prefixes.add(MessageId.random().text().substring(0, 18));
    }
    assertThat(prefixes).as("the per-process half stays put").hasSize(1);
  }
}
