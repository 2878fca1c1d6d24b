package io.mlqueue.contract;

import java.util.Locale;

/**
 * How a stream message's object is written: JSON text (the course's, and the default), or CBOR (RFC
 * 8949), the same object in binary: numbers as IEEE 754 floats instead of decimal text, so a
 * producer formats and a consumer parses no digits, and a 100-row bulk message is about half the
 * bytes. A message says which in its {@code content_type} property; a consumer reads either, and
 * anything without {@code application/cbor} (the course's Python services set no content type) as
 * JSON.
 */
public enum WireFormat {
  JSON("application/json", "JSON"),
  CBOR("application/cbor", "CBOR");

  private final String contentType;
  private final String displayName;

  WireFormat(String contentType, String displayName) {
    this.contentType = contentType;
    this.displayName = displayName;
  }

  /** The AMQP {@code content_type} a message in this format carries. */
  public String contentType() {
    return contentType;
  }

  /** "JSON" or "CBOR", for messages to people. */
  public String displayName() {
    return displayName;
  }

  /**
   * The format of a message with this {@code content_type}: CBOR for {@code application/cbor}
   * (parameters and case ignored), JSON for anything else, including none.
   */
  public static WireFormat ofContentType(String contentType) {
    if (contentType == null) {
      return JSON;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return type.equalsIgnoreCase(CBOR.contentType) ? CBOR : JSON;
  }

  /** The format named {@code json} or {@code cbor} (any case), as an option gives it. */
  public static WireFormat named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "json" -> JSON;
      case "cbor" -> CBOR;
      default ->
          throw new IllegalArgumentException("unknown encoding '" + name + "': json or cbor");
    };
  }
}
