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

  @Test
  void uuidsAndOtherIdsShareOneOrderOfForgetting() {
    WrittenIds ids = new WrittenIds(3);
    String u1 = "0d3c5e1a-4b2f-4c8d-9e0f-1a2b3c4d5e6f";
    String u2 = "7a1e0000-0000-4000-8000-000000000001";
    ids.add(u1);
    ids.add("1700000000.5");
    ids.add(u2);
    ids.add("course-id");
    assertThat(ids.contains(u1)).isFalse(); // the oldest went first
    assertThat(ids.contains("1700000000.5")).isTrue();
    assertThat(ids.contains(u2)).isTrue();
    assertThat(ids.contains("course-id")).isTrue();
    assertThat(ids.size()).isEqualTo(3);
  }

  @Test
  void aUuidInAnotherFormIsAnotherIdAsInTheLog() {
    WrittenIds ids = new WrittenIds(10);
    ids.add("0d3c5e1a-4b2f-4c8d-9e0f-1a2b3c4d5e6f");
    // The log keeps the text: upper case or braces make another row id, and so another id here.
    assertThat(ids.contains("0D3C5E1A-4B2F-4C8D-9E0F-1A2B3C4D5E6F")).isFalse();
    assertThat(ids.add("0D3C5E1A-4B2F-4C8D-9E0F-1A2B3C4D5E6F")).isTrue();
    assertThat(ids.contains("0d3c5e1a4b2f4c8d9e0f1a2b3c4d5e6f")).isFalse();
    assertThat(WrittenIds.Uuids.parse("0d3c5e1a-4b2f-4c8d-9e0f-1a2b3c4d5e6g")).isNull();
  }

  @Test
  void behavesAsABoundedInsertionOrderedSetOverManyIdsAndEvictions() {
    // Against LinkedHashSet as the specification, through growth, wrap-around and the table's
    // backward-shift removals, with ids that differ only in their low bits as ours do.
    java.util.Random random = new java.util.Random(42);
    int capacity = 5_000;
    WrittenIds ids = new WrittenIds(capacity);
    java.util.LinkedHashSet<String> spec = new java.util.LinkedHashSet<>();
    java.util.List<String> seen = new java.util.ArrayList<>();
    for (int step = 0; step < 60_000; step++) {
      String id;
      if (!seen.isEmpty() && random.nextInt(4) == 0) {
        id = seen.get(random.nextInt(seen.size())); // a repeat, recent or long forgotten
      } else if (random.nextInt(10) == 0) {
        id = "course-" + step;
      } else if (random.nextInt(200) == 0) {
        id = "00000000-0000-0000-0000-000000000000"; // the nil UUID: all-zero bits, held apart
      } else {
        id = new java.util.UUID(0x1234_5678_9abc_4defL, 0x8000_0000_0000_0000L | step).toString();
      }
      seen.add(id);
      boolean expected = spec.add(id);
      if (expected && spec.size() > capacity) {
        spec.removeFirst();
      }
      assertThat(ids.add(id)).as("add %s at step %d", id, step).isEqualTo(expected);
      if (step % 97 == 0) {
        String probe = seen.get(random.nextInt(seen.size()));
        assertThat(ids.contains(probe))
            .as("contains %s at step %d", probe, step)
            .isEqualTo(spec.contains(probe));
      }
    }
    assertThat(ids.size()).isEqualTo(spec.size());
    for (String id : seen) {
      assertThat(ids.contains(id)).isEqualTo(spec.contains(id));
    }
  }

  @Test
  void aUuidsBitsAreJavasOwnAndAnyOtherCharacterInAnySegmentIsRefused() {
    java.util.Random random = new java.util.Random(5);
    for (int n = 0; n < 10_000; n++) {
      java.util.UUID u = new java.util.UUID(random.nextLong(), random.nextLong());
      String text = u.toString();
      assertThat(WrittenIds.Uuids.parse(text))
          .containsExactly(u.getMostSignificantBits(), u.getLeastSignificantBits());
      int at = random.nextInt(36);
      if (text.charAt(at) != '-') {
        for (char bad : new char[] {'G', 'A', 'g', '\u00e9', '\u0660', ' '}) {
          String broken = text.substring(0, at) + bad + text.substring(at + 1);
          assertThat(WrittenIds.Uuids.parse(broken)).as(broken).isNull();
        }
      }
    }
  }
}
