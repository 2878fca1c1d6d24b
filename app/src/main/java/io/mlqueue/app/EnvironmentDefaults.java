package io.mlqueue.app;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option can also be set by an environment variable, as containers are configured: {@code
 * --log-dir} by {@code MLQUEUE_LOG_DIR}, {@code --metrics-port} by {@code MLQUEUE_METRICS_PORT},
 * and so on. The command line wins over the environment, the environment over the built-in default.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
  static final String PREFIX = "MLQUEUE_";

  private final Map<String, String> environment;

  EnvironmentDefaults() {
    this(System.getenv());
  }

  EnvironmentDefaults(Map<String, String> environment) {
    this.environment = environment;
  }

  /** {@code --batch-wait} → {@code MLQUEUE_BATCH_WAIT}. */
  static String variable(String longOption) {
    return PREFIX + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec option && option.longestName().startsWith("--")) {
      String value = environment.get(variable(option.longestName()));
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return arg.defaultValue(); // the annotation's own default, if any
  }
}
