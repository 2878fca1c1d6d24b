package io.mlqueue.gateway.v2;

/**
 * A model's name and version, as a reply's {@code "model": "name:version"} names them. Names and
 * versions are tokens of letters, digits, {@code .}, {@code _} and {@code -} (registry rules), so
 * the last colon separates them.
 */
record ModelRef(String name, String version) {
  static ModelRef parse(String id) {
    int colon = id.lastIndexOf(':');
    return colon < 0
        ? new ModelRef(id, "")
        : new ModelRef(id.substring(0, colon), id.substring(colon + 1));
  }
}
