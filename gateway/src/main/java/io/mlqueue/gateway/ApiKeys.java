package io.mlqueue.gateway;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Optional API keys for {@code POST /v1/predict}: a request must carry one of them, as {@code
 * Authorization: Bearer KEY} or {@code X-API-Key: KEY}. Keys are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, which takes the same time wherever the first difference is, so the
 * time of an answer tells nothing about a key. Only digests are kept in memory.
 */
public final class ApiKeys {
  static final HeaderName X_API_KEY = HeaderNames.create("X-API-Key");
  private static final String BEARER = "Bearer ";

  /** Shorter keys are guessable; refuse them at start-up. */
  static final int MIN_LENGTH = 16;

  private final List<byte[]> digests;

  private ApiKeys(List<byte[]> digests) {
    this.digests = List.copyOf(digests);
  }

  /** No keys: every request is allowed (the default). */
  public static ApiKeys none() {
    return new ApiKeys(List.of());
  }

  /**
   * The keys in {@code file}, one per line; blank lines and lines starting with {@code #} are
   * skipped.
   *
   * @throws IllegalArgumentException naming the file (never a key) if it is unreadable, empty, or
   *     holds a key shorter than {@value #MIN_LENGTH} characters
   */
  public static ApiKeys load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--api-key-file: cannot read " + file + ": " + e.getMessage(), e);
    }
    List<byte[]> digests = new ArrayList<>();
    int lineNo = 0;
    for (String line : lines) {
      lineNo++;
      String key = line.strip();
      if (key.isEmpty() || key.startsWith("#")) {
        continue;
      }
      if (key.length() < MIN_LENGTH) {
        throw new IllegalArgumentException(
            "--api-key-file: the key on line "
                + lineNo
                + " of "
                + file
                + " is shorter than "
                + MIN_LENGTH
                + " characters");
      }
      digests.add(digest(key));
    }
    if (digests.isEmpty()) {
      throw new IllegalArgumentException("--api-key-file: " + file + " holds no key");
    }
    return new ApiKeys(digests);
  }

  /** Whether keys are required at all. */
  public boolean enabled() {
    return !digests.isEmpty();
  }

  /** Whether {@code request} may call the API. */
  boolean allows(ServerRequest request) {
    if (!enabled()) {
      return true;
    }
    Optional<String> key = presented(request);
    if (key.isEmpty()) {
      return false;
    }
    byte[] given = digest(key.get());
    boolean match = false;
    for (byte[] d : digests) {
      match |= MessageDigest.isEqual(d, given); // no early exit: every key is compared
    }
    return match;
  }

  private static Optional<String> presented(ServerRequest request) {
    var headers = request.headers();
    if (headers.contains(X_API_KEY)) {
      return Optional.of(headers.get(X_API_KEY).get().strip());
    }
    if (headers.contains(HeaderNames.AUTHORIZATION)) {
      String value = headers.get(HeaderNames.AUTHORIZATION).get();
      if (value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        return Optional.of(value.substring(BEARER.length()).strip());
      }
    }
    return Optional.empty();
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
