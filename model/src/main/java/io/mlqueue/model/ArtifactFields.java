package io.mlqueue.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to an artifact's JSON whose failures name the artifact and the field. Fields are
 * addressed by dotted path ({@code provenance.inSample.mae}) so messages say exactly where.
 * Package-private helper of {@link ModelArtifact}.
 */
record ArtifactFields(String source, JsonNode root) {
  ModelFormatException error(String problem) {
    return new ModelFormatException("model artifact " + source + " " + problem);
  }

  /** As {@link #error(String)}, keeping what found the problem as the cause. */
  ModelFormatException error(String problem, Throwable cause) {
    return new ModelFormatException("model artifact " + source + " " + problem, cause);
  }

  private JsonNode field(JsonNode parent, String name) {
    JsonNode v = parent.get(name.substring(name.lastIndexOf('.') + 1));
    if (v == null || v.isNull()) {
      throw error("has no field '" + name + "'");
    }
    return v;
  }

  JsonNode object(JsonNode parent, String name) {
    JsonNode v = field(parent, name);
    if (!v.isObject()) {
      throw error("field '" + name + "' must be an object, got " + show(v));
    }
    return v;
  }

  String text(JsonNode parent, String name) {
    JsonNode v = field(parent, name);
    if (!v.isTextual()) {
      throw error("field '" + name + "' must be a string, got " + show(v));
    }
    return v.textValue();
  }

  int integer(JsonNode parent, String name) {
    JsonNode v = field(parent, name);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw error("field '" + name + "' must be a whole number, got " + show(v));
    }
    return v.intValue();
  }

  double number(JsonNode parent, String name) {
    return finite("field '" + name + "'", field(parent, name));
  }

  private double finite(String what, JsonNode v) {
    // JSON has no NaN or Infinity; a string "NaN" or an overflowing literal like 1e999 ends here.
    if (!v.isNumber()) {
      throw error(what + " must be a finite number, got " + show(v));
    }
    if (!Double.isFinite(v.doubleValue())) {
      throw error(what + " must be a finite number, got one too large for a double");
    }
    return v.doubleValue();
  }

  /** A value for a message, cut short: a wrong field may hold a whole object. */
  private static String show(JsonNode v) {
    String s = v.toString();
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  List<String> texts(JsonNode parent, String name) {
    JsonNode v = field(parent, name);
    if (!v.isArray()) {
      throw error("field '" + name + "' must be an array of strings, got " + show(v));
    }
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual()) {
        throw error(name + "[" + i + "] must be a string, got " + show(v.get(i)));
      }
      out.add(v.get(i).textValue());
    }
    return out;
  }

  double[] numbers(JsonNode parent, String name) {
    JsonNode v = field(parent, name);
    if (!v.isArray()) {
      throw error("field '" + name + "' must be an array of numbers, got " + show(v));
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = finite(name + "[" + i + "]", v.get(i));
    }
    return out;
  }
}
