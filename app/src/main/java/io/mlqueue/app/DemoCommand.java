package io.mlqueue.app;

import com.rabbitmq.client.Connection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mlqueue.amqp.AmqpSettings;
import io.mlqueue.amqp.BrokerConnector;
import io.mlqueue.app.pipeline.PipelineBoard;
import io.mlqueue.app.pipeline.QueueDepths;
import io.mlqueue.broker.EmbeddedBroker;
import io.mlqueue.data.Dataset;
import io.mlqueue.features.FeaturesConfig;
import io.mlqueue.features.FeaturesService;
import io.mlqueue.features.Pace;
import io.mlqueue.features.Shift;
import io.mlqueue.gateway.AnswerLog;
import io.mlqueue.gateway.ApiKeys;
import io.mlqueue.gateway.GatewayConfig;
import io.mlqueue.gateway.GatewayServer;
import io.mlqueue.gateway.HttpServerTracer;
import io.mlqueue.gateway.amqp.AmqpPredictor;
import io.mlqueue.metric.RunningMetrics;
import io.mlqueue.metric.service.MetricService;
import io.mlqueue.model.ModelCompatibility;
import io.mlqueue.model.ServableModel;
import io.mlqueue.model.drift.LiveDrift;
import io.mlqueue.model.registry.AliasFollower;
import io.mlqueue.model.service.LiveModel;
import io.mlqueue.model.service.ModelService;
import io.mlqueue.observe.MetricsServer;
import io.mlqueue.observe.Observability;
import io.mlqueue.observe.Tracing;
import io.mlqueue.plot.DriftFeed;
import io.mlqueue.plot.PlotConfig;
import io.mlqueue.plot.PlotDashboard;
import io.mlqueue.plot.PlotService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlqueue demo}: the whole system in one process on the embedded broker — features, model,
 * metric and plot, each on its own connection as if it were its own process.
 */
@Command(
    name = "demo",
    description =
        "Run the embedded broker and every service in one process, streaming the built-in data set;"
            + " prints a status line every few seconds. Needs no RabbitMQ.")
final class DemoCommand implements Callable<Integer> {
  /** How long each service may take to finish its work in flight when the demo ends. */
  private static final Duration DRAIN = Duration.ofSeconds(5);

  @Mixin MetricCommand.LogDirOption logDir;
  @Mixin ModelCommand.ModelOptions model;
  @Mixin DriftOptions drift;
  @Mixin TracingOptions tracing;

  @Option(
      names = "--shift",
      paramLabel = "FEATURE:DELTA[@N]",
      description =
          "As 'features --shift': add DELTA to FEATURE from the N-th pair on, to watch drift"
              + " detected (docs/MONITORING.md).")
  List<String> shifts = new java.util.ArrayList<>();

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop by itself after DURATION (default: run until Ctrl-C).")
  Duration duration;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "50",
      description = "Pairs per second that features sends (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--seed", paramLabel = "N", description = "Seed for a repeatable order of rows.")
  Long seed;

  @Option(
      names = "--status-every",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "How often to print the status line (default: ${DEFAULT-VALUE}).")
  Duration statusEvery;

  @Option(
      names = "--gateway-port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port of the HTTP gateway (0: any free port; default: ${DEFAULT-VALUE}).")
  int gatewayPort;

  @Option(
      names = "--dashboard-port",
      paramLabel = "PORT",
      defaultValue = "8081",
      description =
          "Port of the live dashboard of the error histogram, with /metrics and /health beside it"
              + " (0: any free port; default: ${DEFAULT-VALUE}).")
  int dashboardPort;

  /** For tests: told about every pair features sends. */
  FeaturesService.Listener listener = FeaturesService.Listener.NO_OP;

  /** For tests: where the gateway listens, once it does. */
  volatile String gatewayUrl;

  /** For tests: where the dashboard listens, once it does. */
  volatile String dashboardUrl;

  /** The drift monitor while the demo runs, for tests. */
  volatile Optional<LiveDrift> drifts = Optional.empty();

  private volatile boolean stopRequested;
  private volatile FeaturesService features;

  /**
   * For tests: stops the stream as Ctrl-C or the end of {@code --duration} would, so a test can
   * watch the running demo for as long as it needs instead of racing a fixed duration. The demo
   * then finishes as usual; safe to call before the stream has started.
   */
  void stop() {
    stopRequested = true;
    FeaturesService running = features;
    if (running != null) {
      running.stop();
    }
  }

  @Override
  public Integer call() throws Exception {
    Dataset data = model.data.load();
    model.checkPoll();
    ServableModel loaded = model.load();
    // The live model owns what it serves: it closes the last one (an ONNX model's native session).
    try (LiveModel live = new LiveModel(loaded)) {
      ModelCompatibility.require(loaded, data.featureNames());
      // With --model registry:NAME@ALIAS the demo follows the alias as 'model' does.
      Optional<AliasFollower> follower = model.follow(live);
      try {
        return run(data, live);
      } finally {
        follower.ifPresent(AliasFollower::close);
      }
    }
  }

  /** {@code settings} traced as {@code service} when {@code --otlp-endpoint} asks for it. */
  private AmqpSettings traced(AmqpSettings settings, Closer open, String service) {
    Tracing traces = tracing.start(service);
    return traces.enabled() ? TracingOptions.traced(settings, open.add(traces)) : settings;
  }

  private int run(Dataset data, LiveModel live) throws Exception {
    ServableModel loaded = live.current();
    Path dir = logDir.dir.toAbsolutePath().normalize();

    // Whatever has started is closed on every path (a port taken, a failure mid-run, the end),
    // newest first: the services, then the dashboard and the connections, then the broker. The
    // normal end closes the services itself, so that the summary counts what they finished.
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Closer open = new Closer();
        Closer services = new Closer()) {
      AmqpSettings settings = AmqpSettings.of(broker.amqpUri());
      System.out.println("demo: embedded broker at " + settings.redactedUri());
      // With --otlp-endpoint, each service traces under its own name, as when run apart; closed
      // after the services, so that their last spans are sent.
      AmqpSettings modelSettings = traced(settings, open, "model");
      AmqpSettings metricSettings = traced(settings, open, "metric");
      AmqpSettings featuresSettings = traced(settings, open, "features");
      Tracing gatewayTraces = tracing.start("gateway");
      AmqpSettings gatewaySettings =
          gatewayTraces.enabled()
              ? TracingOptions.traced(settings, open.add(gatewayTraces))
              : settings;
      Connection modelConnection = open.add(BrokerConnector.connect(settings, "model"));
      Connection metricConnection = open.add(BrokerConnector.connect(settings, "metric"));
      Connection featuresConnection = open.add(BrokerConnector.connect(settings, "features"));
      Connection gatewayConnection = open.add(BrokerConnector.connect(settings, "gateway"));
      PrometheusMeterRegistry registry = Observability.registry("demo");
      ModelService.Config modelConfig =
          new ModelService.Config(
              ModelService.Config.DEFAULT_BATCH_ROWS,
              ModelService.Config.DEFAULT_BATCH_WAIT,
              registry);
      Optional<LiveDrift> watch =
          drift.start(
              model.reference().map(r -> model.registry.open()), Optional.of(data), registry);
      DriftBoard driftBoard = new DriftBoard(Clock.systemUTC());
      if (watch.isPresent()) {
        open.add(watch.get());
        watch.get().onCheck(driftBoard);
        watch.get().prepare(loaded);
        modelConfig = modelConfig.withObserver(watch.get());
      }
      this.drifts = watch;
      ModelService.Config config = modelConfig;
      ModelService modelService = ModelService.start(modelConnection, modelSettings, live, config);
      services.add(() -> modelService.close(DRAIN));
      AmqpPredictor predictor =
          services.add(AmqpPredictor.start(gatewayConnection, gatewaySettings, registry));
      GatewayServer gateway =
          services.add(
              Listening.on(
                  "--gateway-port",
                  gatewayPort,
                  () ->
                      GatewayServer.start(
                          GatewayConfig.defaults().withHost("127.0.0.1").withPort(gatewayPort),
                          predictor,
                          registry,
                          ApiKeys.none(),
                          Optional.empty(),
                          AnswerLog.NONE,
                          HttpServerTracer.of(gatewayTraces.openTelemetry()))));
      gatewayUrl = gateway.url();
      MetricService metricService =
          MetricService.start(
              metricConnection,
              metricSettings,
              MetricService.Config.of(dir)
                  .withStatusEvery(Duration.ZERO)
                  .withPairDelays(ServiceMeters.pairDelays(registry)),
              Clock.systemUTC());
      services.add(() -> metricService.close(DRAIN));
      // Each service's own meters, as its command registers them: the demo's /metrics shows them
      // all.
      ServiceMeters.bind(modelService, registry);
      ServiceMeters.bind(metricService, registry);
      PlotService plotService = services.add(new PlotService(PlotConfig.of(dir)));
      ServiceMeters.bind(plotService, registry);
      plotService.start();
      // The dashboard's pipeline panel: the queues' depths over a connection of its own, and the
      // delay from metric's histogram in the registry they share.
      PipelineBoard pipelineBoard =
          open.add(
              PipelineBoard.start(
                  Optional.of(
                      new QueueDepths(
                          () -> BrokerConnector.connect(settings, "dashboard"),
                          StatusCommand.contractQueues(),
                          PlotCommand.QUEUE_HISTORY)),
                  Optional.of(PlotCommand.delayIn(registry)),
                  Clock.systemUTC(),
                  PlotCommand.PANEL_EVERY,
                  PlotCommand.DELAY_WINDOW));
      // The plot service's own server, as `mlqueue plot --metrics-port` runs it, on the loopback
      // like the gateway: the demo is for the machine it runs on. It outlives the services, so the
      // dashboard shows the last rows until the demo ends.
      MetricsServer dashboard =
          open.add(
              Listening.on(
                  "--dashboard-port",
                  dashboardPort,
                  () ->
                      MetricsServer.start(
                          "demo",
                          "127.0.0.1",
                          dashboardPort,
                          registry,
                          plotService::isRunning,
                          new PlotDashboard(
                              plotService,
                              watch.isPresent() ? driftBoard : DriftFeed.NONE,
                              pipelineBoard))));
      dashboardUrl = dashboard.url();
      FeaturesService features =
          new FeaturesService(
              new FeaturesConfig(
                  data,
                  0,
                  Pace.rate(rate),
                  seed == null ? OptionalLong.empty() : OptionalLong.of(seed),
                  FeaturesConfig.DEFAULT_WINDOW,
                  1,
                  shifts.stream().map(spec -> Shift.parse(spec, data)).toList()),
              featuresSettings,
              featuresConnection,
              Clock.systemUTC(),
              listener);
      this.features = features;
      ServiceMeters.bind(features, registry);
      if (stopRequested) {
        features.stop();
      }
      System.out.println(
          "demo: writing " + metricService.logFile() + " and " + plotService.pngPath());
      System.out.println(
          "demo: gateway at "
              + gateway.url()
              + ", try: curl -s -H 'Content-Type: application/json' -d '{\"features\": "
              + java.util.Arrays.toString(data.features(0))
              + "}' "
              + gateway.url()
              + "/v1/predict");
      System.out.println(
          "demo: live dashboard at "
              + dashboard.url()
              + "/ (the error histogram, redrawn"
              + " as rows arrive; JSON at /api/histogram)");
      System.out.println(
          "demo: model "
              + loaded.id()
              + ", "
              + data.name()
              + " data at "
              + rate
              + " pairs/s"
              + (duration == null ? "; Ctrl-C stops" : " for " + duration));

      ScheduledExecutorService timers =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "demo-status");
                t.setDaemon(true);
                return t;
              });
      services.add(timers::shutdownNow);
      timers.scheduleAtFixedRate(
          () -> printStatus(modelService, metricService),
          statusEvery.toMillis(),
          statusEvery.toMillis(),
          TimeUnit.MILLISECONDS);
      if (duration != null) {
        timers.schedule(features::stop, duration.toMillis(), TimeUnit.MILLISECONDS);
      }
      CountDownLatch finished = new CountDownLatch(1);
      Shutdown.onSignal("demo", features::stop, finished);
      try {
        long sent = features.run(Duration.ofSeconds(10));
        awaitRows(metricService, sent, Duration.ofSeconds(10));
        services.close();
        int rows = plotService.drawOnce();
        printStatus(modelService, metricService);
        System.out.println(
            "demo: done: "
                + sent
                + " pairs sent, "
                + rows
                + " rows in "
                + metricService.logFile()
                + ", histogram in "
                + plotService.pngPath());
      } finally {
        finished.countDown();
      }
    }
    return 0;
  }

  /**
   * The last predictions are still in flight when features stops: give metric a moment to log them.
   */
  private static void awaitRows(MetricService metric, long sent, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (metric.rowsWritten() < sent && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static void printStatus(ModelService model, MetricService metric) {
    RunningMetrics.Snapshot s = metric.metrics();
    System.out.println(
        String.format(
            Locale.ROOT,
            "demo: %,d predictions, %,d rows logged, MAE %.2f, RMSE %.2f, R² %.3f",
            model.predictions(),
            s.count(),
            s.mae(),
            s.rmse(),
            s.r2()));
  }
}
