package io.mlqueue.stats.compare;

import static io.mlqueue.stats.Fixtures.doubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlqueue.stats.Fixtures;
import org.junit.jupiter.api.Test;

class ConfidenceSequenceTest {

  @Test
  void boundaryMatchesAnIndependentNumPyEvaluationAtEveryStep() {
    JsonNode c = Fixtures.get("confidence_sequence");
    double[] d = doubles(c.get("d"));
    double[] lower = doubles(c.get("lower"));
    double[] upper = doubles(c.get("upper"));
    ConfidenceSequence cs =
        new ConfidenceSequence(c.get("alpha").asDouble(), c.get("tuned_for").asLong());
    cs.add(d[0]);
    assertThat(cs.bound().lower()).isEqualTo(Double.NEGATIVE_INFINITY);
    for (int t = 1; t < d.length; t++) {
      cs.add(d[t]);
      ConfidenceSequence.Bound b = cs.bound();
      assertThat(b.lower()).as("t=%d", t + 1).isCloseTo(lower[t - 1], within(1e-9));
      assertThat(b.upper()).as("t=%d", t + 1).isCloseTo(upper[t - 1], within(1e-9));
    }
  }

  @Test
  void isWiderThanTheFixedSampleIntervalAndNarrowsAsPairsArrive() {
    // Width in standard deviations: at t* the mixture boundary costs about 1.3-1.5x a z interval.
    double rho2 = ConfidenceSequence.rhoSquared(0.05, 1000);
    double atTunedFor = ConfidenceSequence.halfWidth(1000, 1, 0.05, rho2);
    double z = 1.959964 / Math.sqrt(1000);
    assertThat(atTunedFor / z).isBetween(1.2, 1.6);
    assertThat(ConfidenceSequence.halfWidth(10_000, 1, 0.05, rho2)).isLessThan(atTunedFor);
  }
}
