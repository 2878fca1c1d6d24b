package io.mlqueue.model.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlqueue.model.ServableModel;

/**
 * {@code mlqueue_model_info{model="NAME:VERSION",role="champion"} 1}: which model a worker serves,
 * as Prometheus' info pattern has it (the value is always 1, the facts are the tags), for {@code
 * mlqueue status} and dashboards. A swap registers the new id and removes the old one, so one
 * series per role says what is served now. Only registered at start and on a swap: nothing on the
 * path of a message.
 */
final class ModelInfoGauge {
  static final String NAME = "mlqueue.model.info";

  private final MeterRegistry registry;
  private final String role;
  private Gauge gauge; // guarded by this

  private ModelInfoGauge(MeterRegistry registry, String role) {
    this.registry = registry;
    this.role = role;
  }

  /** Shows what {@code live} serves under {@code role} ({@code champion}, {@code challenger}). */
  static void bind(MeterRegistry registry, String role, LiveModel live) {
    ModelInfoGauge info = new ModelInfoGauge(registry, role);
    live.onSwap(info::show);
    info.show(live.current());
  }

  private synchronized void show(ServableModel model) {
    Gauge next =
        Gauge.builder(NAME, () -> 1)
            .description(
                "1, tagged with the id (name:version) of the model served now and its role")
            .tag("model", model.id())
            .tag("role", role)
            .register(registry);
    if (gauge != null && !gauge.getId().equals(next.getId())) {
      registry.remove(gauge);
    }
    gauge = next;
  }
}
