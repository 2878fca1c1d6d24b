package io.mlqueue.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrittenIdsTest {

  @Test
  void remembersIdsAndRefusesRepeats() {
    WrittenIds ids = new WrittenIds(10);
    assertThat(ids.add("a")).isTrue();
    assertThat(ids.add("a")).isFalse();
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("b")).isFalse();
    assertThat(ids.size()).isEqualTo(1);
  }

  @Test
  void forgetsTheOldestIdOnceFull() {
    WrittenIds ids = new WrittenIds(2);
    ids.add("a");
    ids.add("b");
    // A repeat does not count as recent use: "a" stays the oldest.
    ids.add("a");
    ids.add("c");
    assertThat(ids.contains("a")).isFalse();
    assertThat(ids.contains("b")).isTrue();
    assertThat(ids.contains("c")).isTrue();
    assertThat(ids.size()).isEqualTo(2);
    assertThat(ids.capacity()).isEqualTo(2);
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new WrittenIds(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
