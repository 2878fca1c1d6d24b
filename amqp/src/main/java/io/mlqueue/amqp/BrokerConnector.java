package io.mlqueue.amqp;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import java.io.IOException;
import java.net.URI;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the one long-lived connection a service keeps: automatic recovery (connection, channels,
 * queues and consumers come back after a network or broker failure), heartbeats, and a name the
 * management UI shows. When the broker is not there at start-up, it waits with backoff and says so,
 * rather than crash-looping as the course's services do.
 */
public final class BrokerConnector {
  private static final Logger log = LoggerFactory.getLogger(BrokerConnector.class);

  static final int HEARTBEAT_SECONDS = 30;
  static final long RECOVERY_INTERVAL_MILLIS = 2_000;

  /**
   * The largest message body the client accepts: RabbitMQ's own default {@code max_message_size}.
   * The client's default (64 MiB) is lower, and a delivery over it closes the connection; the
   * message is then redelivered on the next connection, and the next, and nothing behind it ever
   * gets through. Accepting what the broker accepts lets the service refuse it properly ({@code
   * --max-message-bytes}: dead-lettered unparsed). Lower the broker's {@code max_message_size} to
   * bound memory further: a consumer may hold prefetch × that size.
   */
  public static final int MAX_INBOUND_BODY_BYTES = 128 * 1024 * 1024;

  private static final long FIRST_BACKOFF_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 10_000;

  /** How long to wait for a node to answer when finding out what it is. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private BrokerConnector() {}

  /**
   * Connects as {@code serviceName}, retrying until {@code settings.connectTimeout()} has passed.
   *
   * @throws BrokerUnavailableException when the broker could not be reached in time, refused the
   *     credentials, or showed a certificate this service does not trust (retrying would not help)
   * @throws IllegalArgumentException when the URI or the CA file is unusable
   * @throws InterruptedException if interrupted while waiting to retry
   */
  public static Connection connect(AmqpSettings settings, String serviceName)
      throws InterruptedException {
    ConnectionFactory factory = factory(settings);
    List<Address> addresses = addresses(settings);
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    long backoff = FIRST_BACKOFF_MILLIS;
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        // With several addresses the client tries them in a random order, and recovery moves to
        // another node when the one it is connected to fails.
        Connection connection = factory.newConnection(addresses, serviceName);
        logRecoveries(connection, serviceName);
        logAlarms(connection, serviceName, settings);
        log.info(
            "{}: connected to {}:{} of {} ({} {})",
            serviceName,
            connection.getAddress().getHostAddress(),
            connection.getPort(),
            settings.redactedUri(),
            connection.getServerProperties().get("product"),
            connection.getServerProperties().get("version"));
        return connection;
      } catch (com.rabbitmq.client.PossibleAuthenticationFailureException e) {
        throw new BrokerUnavailableException(refusedLogin(settings, serviceName), e);
      } catch (IOException | TimeoutException e) {
        if (refusedCertificate(e)) {
          // The broker's certificate will not become trusted by waiting: say why now, once.
          throw new BrokerUnavailableException(
              serviceName
                  + ": refused the certificate of the broker at "
                  + settings.redactedUri()
                  + ": "
                  + describe(e)
                  + " ("
                  + settings
                      .caFile()
                      .map(f -> "this service trusts only the CA in --amqp-ca-file " + f)
                      .orElse(
                          "this service trusts the JVM's default CAs; pass a private CA with"
                              + " --amqp-ca-file")
                  + "; the certificate must also name the host of the URI)",
              e);
        }
        // A refusal that waiting will not change: say it now rather than retry for minutes.
        Optional<String> refusal = permanentRefusal(settings, serviceName, addresses, e);
        if (refusal.isPresent()) {
          throw new BrokerUnavailableException(refusal.get(), e);
        }
        long remaining = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (remaining <= 0) {
          throw new BrokerUnavailableException(
              serviceName
                  + ": no broker at "
                  + settings.redactedUri()
                  + " after "
                  + attempt
                  + " attempts in "
                  + settings.connectTimeout().toSeconds()
                  + " s: "
                  + describe(e),
              e);
        }
        long wait = Math.min(backoff, remaining);
        log.warn(
            "{}: broker at {} not reachable ({}); retrying in {} ms",
            serviceName,
            settings.redactedUri(),
            describe(e),
            wait);
        Thread.sleep(wait);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  /** The line for a login the broker refused: a wrong user or password, or guest from afar. */
  static String refusedLogin(AmqpSettings settings, String serviceName) {
    String user = settings.user();
    return serviceName
        + ": the broker at "
        + settings.redactedUri()
        + " refused user '"
        + user
        + "' with the password given (ACCESS_REFUSED). Fix: correct the user or password in"
        + " --amqp-uri (`rabbitmqctl authenticate_user "
        + user
        + " PASSWORD` tests them on the"
        + " broker)"
        + (user.equals("guest")
            ? "; RabbitMQ lets 'guest' log in only from localhost: for a remote broker create a"
                + " user (rabbitmqctl add_user)"
            : "");
  }

  /**
   * Why connecting failed for good, in one line, or empty for a failure worth retrying (nothing
   * listens yet, a timeout, a node restarting): the broker refused the virtual host or the user's
   * access to it, TLS met a plain port or the reverse, or the port is not an AMQP 0-9-1 broker's.
   */
  static Optional<String> permanentRefusal(
      AmqpSettings settings, String serviceName, List<Address> addresses, Exception e) {
    String at = serviceName + ": the broker at " + settings.redactedUri();
    Optional<BrokerReply> reply = BrokerReply.of(e);
    if (reply.isPresent()) {
      String detail = reply.get().detail();
      String vhost = settings.vhost();
      if (reply.get().code() == BrokerReply.NOT_ALLOWED && detail.contains("not found")) {
        return Optional.of(
            at
                + " has no virtual host '"
                + vhost
                + "'. Fix: `rabbitmqctl add_vhost "
                + vhost
                + "` and `rabbitmqctl set_permissions -p "
                + vhost
                + " "
                + settings.user()
                + " '.*' '.*' '.*'`, or correct the URI's path (%2F is the default virtual host '/')");
      }
      if (reply.get().code() == BrokerReply.NOT_ALLOWED && detail.contains("refused for user")) {
        return Optional.of(
            at
                + " refuses user '"
                + settings.user()
                + "' access to virtual host '"
                + vhost
                + "' (no permissions there). Fix: `rabbitmqctl set_permissions -p "
                + vhost
                + " "
                + settings.user()
                + " '.*' '.*' '.*'`");
      }
      if (reply.get().code() == BrokerReply.ACCESS_REFUSED
          || reply.get().code() == BrokerReply.NOT_ALLOWED) {
        return Optional.of(at + " refused the connection: " + detail);
      }
      return Optional.empty();
    }
    if (Failures.root(e) instanceof java.net.ConnectException
        || Failures.root(e) instanceof java.net.UnknownHostException
        || Failures.root(e) instanceof java.net.NoRouteToHostException) {
      return Optional.empty(); // nothing there (yet): the retry loop waits for it
    }
    boolean tlsFailed = hasCause(e, javax.net.ssl.SSLException.class);
    for (Address address : addresses) {
      String node =
          serviceName
              + ": the node at "
              + address.getHost()
              + ":"
              + address.getPort()
              + " ("
              + settings.redactedUri()
              + ")";
      Optional<byte[]> answer = NodeProbe.answer(address, PROBE_TIMEOUT);
      if (answer.isEmpty()) {
        continue;
      }
      if (tlsFailed && NodeProbe.isAmqp091(answer.get())) {
        return Optional.of(
            node
                + " speaks plain AMQP, not TLS: use amqp:// for this port, or"
                + " amqps:// with the broker's TLS port (RabbitMQ's is usually 5671)");
      }
      Optional<String> why = NodeProbe.classify(answer.get(), settings.tls());
      if (why.isPresent()) {
        return Optional.of(node + " " + why.get());
      }
    }
    if (tlsFailed) {
      return Optional.of(
          at
              + " did not complete the TLS handshake: "
              + describe(e)
              + " (is it a"
              + " TLS port? RabbitMQ's is usually 5671; for a plain port use amqp://)");
    }
    return Optional.empty();
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Says once when the broker blocks this connection's publishing (a memory or disk alarm: every
   * publisher waits, nothing is lost) and once when it unblocks.
   */
  private static void logAlarms(Connection connection, String serviceName, AmqpSettings settings) {
    java.util.concurrent.atomic.AtomicLong blockedAt = new java.util.concurrent.atomic.AtomicLong();
    connection.addBlockedListener(
        reason -> {
          if (blockedAt.compareAndSet(0, System.nanoTime())) {
            log.warn(
                "{}: the broker at {} blocks publishing: {} (a resource alarm: the broker is"
                    + " low on memory or disk). Publishes wait until it clears; nothing is lost. Fix on"
                    + " the broker: free memory or disk, or raise vm_memory_high_watermark or"
                    + " disk_free_limit",
                serviceName,
                settings.redactedUri(),
                reason);
          }
        },
        () -> {
          long since = blockedAt.getAndSet(0);
          if (since != 0) {
            log.info(
                "{}: the broker unblocked publishing after {} s; the resource alarm cleared",
                serviceName,
                Duration.ofNanos(System.nanoTime() - since).toSeconds());
          }
        });
  }

  /** Whether TLS failed because the broker's certificate is untrusted or names another host. */
  static boolean refusedCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CertificateException) {
        return true;
      }
    }
    return false;
  }

  /** Says where a connection went after a failure: with several nodes it may be another one. */
  private static void logRecoveries(Connection connection, String serviceName) {
    if (connection instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(
          new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable r) {
              Connection c = (Connection) r;
              log.info(
                  "{}: reconnected to {}:{}",
                  serviceName,
                  c.getAddress().getHostAddress(),
                  c.getPort());
            }

            @Override
            public void handleRecoveryStarted(Recoverable r) {
              log.warn("{}: lost the broker connection; recovering", serviceName);
            }
          });
    }
  }

  /**
   * One address per URI: host and port; the rest (credentials, virtual host) is the first URI's.
   */
  static List<Address> addresses(AmqpSettings settings) {
    List<Address> addresses = new ArrayList<>();
    for (String uri : settings.uris()) {
      URI parsed = URI.create(uri);
      int port =
          parsed.getPort() != -1
              ? parsed.getPort()
              : "amqps".equals(parsed.getScheme())
                  ? ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT
                  : ConnectionFactory.DEFAULT_AMQP_PORT;
      String host = parsed.getHost() == null ? ConnectionFactory.DEFAULT_HOST : parsed.getHost();
      addresses.add(new Address(host, port));
    }
    return addresses;
  }

  static ConnectionFactory factory(AmqpSettings settings) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(settings.uris().get(0));
    } catch (Exception e) {
      // The client's message may quote the URI, password included: never pass it on.
      throw new IllegalArgumentException(
          "--amqp-uri is not a usable AMQP URI: " + settings.redactedUri());
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(RECOVERY_INTERVAL_MILLIS);
    factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
    factory.setConnectionTimeout(10_000);
    factory.setMaxInboundMessageBodySize(MAX_INBOUND_BODY_BYTES);
    if (settings.tls()) {
      // setUri gave amqps:// the default trust store but no host-name check: a certificate of any
      // host signed by any trusted CA would pass. Verify both.
      factory.useSslProtocol(TlsContexts.trusting(settings.caFile()));
      factory.enableHostnameVerification();
    }
    return factory;
  }

  private static String describe(Exception e) {
    return Failures.describe(e);
  }
}
