package io.mlqueue.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RepeatedFailuresTest {
  private static final byte[] POISON = "{\"id\":\"p\",\"body\":[1]}".getBytes(UTF_8);
  private static final byte[] OTHER = "{\"id\":\"q\",\"body\":[1]}".getBytes(UTF_8);

  @Test
  void aMessageFailingWhileOthersSucceedIsPoisonAfterMaxAttempts() {
    RepeatedFailures failures = new RepeatedFailures(3);
    assertThat(failures.isPoison(failures.failed(POISON))).isFalse();
    failures.succeeded();
    assertThat(failures.isPoison(failures.failed(POISON))).isFalse();
    failures.succeeded();
    failures.succeeded();
    int alone = failures.failed(POISON);
    assertThat(alone).isEqualTo(3);
    assertThat(failures.isPoison(alone)).isTrue();
  }

  @Test
  void failuresInAnOutageDoNotCountWhenNothingSucceedsBetweenThem() {
    RepeatedFailures failures = new RepeatedFailures(3);
    for (int round = 0; round < 100; round++) {
      assertThat(failures.isPoison(failures.failed(POISON))).isFalse();
      assertThat(failures.isPoison(failures.failed(OTHER))).isFalse();
    }
    assertThat(failures.failed(POISON)).isEqualTo(1);
  }

  @Test
  void aMessageThatFinallyGoesThroughIsForgotten() {
    RepeatedFailures failures = new RepeatedFailures(2);
    failures.failed(POISON);
    failures.succeeded();
    failures.forget(POISON);
    assertThat(failures.anyFailing()).isFalse();
    assertThat(failures.failed(POISON)).isEqualTo(1);
  }

  @Test
  void zeroNeverGivesAMessageUp() {
    RepeatedFailures failures = new RepeatedFailures(0);
    for (int i = 0; i < 50; i++) {
      failures.succeeded();
      assertThat(failures.isPoison(failures.failed(POISON))).isFalse();
    }
  }

  @Test
  void onlyTheMostRecentFailingMessagesAreRemembered() {
    RepeatedFailures failures = new RepeatedFailures(5);
    failures.failed(POISON);
    for (int i = 0; i < RepeatedFailures.REMEMBERED; i++) {
      failures.failed(("other " + i).getBytes(UTF_8));
    }
    failures.succeeded();
    assertThat(failures.failed(POISON)).isEqualTo(1); // forgotten, counted afresh
  }

  @Test
  void aNegativeLimitIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> new RepeatedFailures(-1)).hasMessageContaining("--poison-attempts");
  }
}
