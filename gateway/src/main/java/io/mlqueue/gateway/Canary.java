package io.mlqueue.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * The gateway's canary: a share of the prediction calls goes to the challenger ({@code model
 * --shadow}'s second model, on queue {@code predict.challenger}) instead of the champion. With a
 * sticky header, a request that carries it is routed by a hash of its value, so one user keeps one
 * model; requests without it are routed at random.
 *
 * @param challenger the predictor whose calls go to the challenger's queue
 * @param share the fraction of calls it answers, from 0 to 1
 * @param stickyHeader the request header whose value decides, if any (e.g. {@code X-User-Id})
 */
public record Canary(Predictor challenger, double share, Optional<String> stickyHeader) {
  private static final int BUCKETS = 10_000;

  public Canary {
    Objects.requireNonNull(challenger, "challenger");
    Objects.requireNonNull(stickyHeader, "stickyHeader");
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("--canary must be a share from 0 to 1, was " + share);
    }
  }

  /**
   * Whether a call goes to the challenger: by the hash of {@code key} when there is one (the same
   * key, the same model, across calls and gateways), else at random.
   */
  public boolean routesToChallenger(Optional<String> key) {
    double draw =
        key.map(
                k -> {
                  CRC32 crc =
                      new CRC32(); // stable across JVMs and versions, unlike String.hashCode's use
                  crc.update(k.getBytes(StandardCharsets.UTF_8));
                  return (crc.getValue() % BUCKETS) / (double) BUCKETS;
                })
            .orElseGet(() -> ThreadLocalRandom.current().nextDouble());
    return draw < share;
  }
}
