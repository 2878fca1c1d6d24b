package io.mlqueue.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlqueue.model.drift.LiveDrift;
import io.mlqueue.plot.DriftFeed;
import io.mlqueue.stats.drift.WindowCheck;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * The dashboard's drift panel fed by the drift monitor of a model worker in the same process: the
 * last check per column, and the last episodes with when they started and ended.
 */
final class DriftBoard implements DriftFeed, Consumer<LiveDrift.Report> {
  private static final int EPISODES_KEPT = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Clock clock;
  private final Deque<ObjectNode> episodes = new ArrayDeque<>(); // newest first, guarded by this
  private byte[] json = DriftFeed.NONE.json(); // guarded by this

  DriftBoard(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized byte[] json() {
    return json.clone();
  }

  @Override
  public void accept(LiveDrift.Report report) {
    String now = clock.instant().toString();
    WindowCheck c = report.check();
    ObjectNode root = JSON.createObjectNode();
    root.put("available", true);
    root.put("model", report.model());
    root.put("window", c.number());
    root.put("rows", c.rows());
    root.put("checkedAt", now);
    if (Double.isFinite(report.estimatedMae())) {
      root.put("estimatedMae", report.estimatedMae());
    } else {
      root.putNull("estimatedMae");
    }
    ArrayNode columns = root.putArray("columns");
    for (WindowCheck.Column col : c.columns()) {
      var t = col.drift().test();
      ObjectNode o = columns.addObject();
      o.put("name", col.name());
      o.put("method", t.method().label());
      o.put("pValue", t.method().isPValue());
      o.put("value", t.value());
      o.put("threshold", t.threshold());
      o.put("psi", col.drift().psi().value());
      o.put("drifted", t.drifted());
      o.put("episode", col.inEpisode());
    }
    synchronized (this) {
      for (String name : c.started()) {
        ObjectNode e = JSON.createObjectNode();
        e.put("feature", name);
        e.put("startedAt", now);
        e.put("startedWindow", c.number());
        e.putNull("endedAt");
        episodes.addFirst(e);
        if (episodes.size() > EPISODES_KEPT) {
          episodes.removeLast();
        }
      }
      for (String name : c.ended()) {
        episodes.stream()
            .filter(e -> e.get("feature").asText().equals(name) && e.get("endedAt").isNull())
            .findFirst()
            .ifPresent(e -> e.put("endedAt", now));
      }
      ArrayNode list = root.putArray("episodes");
      episodes.forEach(e -> list.add(e.deepCopy()));
      try {
        json = JSON.writeValueAsBytes(root);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
