package io.mlqueue.app.status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The models a worker serves, as its {@code /metrics} says: the {@code mlqueue_model_info} series
 * ({@code {model="NAME:VERSION",role="champion"} 1}) in Prometheus' text format.
 */
public final class ModelsServed {
  static final String METRIC = "mlqueue_model_info";

  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private ModelsServed() {}

  /**
   * One model served: its id ({@code NAME:VERSION}) and role ({@code champion}, {@code
   * challenger}).
   */
  public record Served(String model, String role) {}

  /** Every model the scrape names with value 1, in the order of the text. */
  public static List<Served> parse(String prometheusText) {
    List<Served> served = new ArrayList<>();
    for (String line : prometheusText.split("\n")) {
      if (!line.startsWith(METRIC + "{")) {
        continue;
      }
      int close = line.lastIndexOf('}');
      if (close < 0) {
        continue;
      }
      String[] value = line.substring(close + 1).strip().split("\\s+");
      if (value.length == 0 || !isOne(value[0])) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      Matcher m = LABEL.matcher(line.substring(METRIC.length() + 1, close));
      while (m.find()) {
        labels.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      if (labels.containsKey("model")) {
        served.add(new Served(labels.get("model"), labels.getOrDefault("role", "champion")));
      }
    }
    return served;
  }

  private static boolean isOne(String v) {
    try {
      return Double.parseDouble(v) == 1.0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** {@code http://h:9100/metrics} for {@code http://h:9100/health}; null for another path. */
  public static String metricsUrl(String healthUrl) {
    return healthUrl.endsWith("/health")
        ? healthUrl.substring(0, healthUrl.length() - "/health".length()) + "/metrics"
        : null;
  }
}
