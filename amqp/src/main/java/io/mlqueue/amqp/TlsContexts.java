package io.mlqueue.amqp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of an {@code amqps://} connection: it verifies the broker's certificate against
 * either the JVM's default certificate authorities or the ones in a PEM file, never against
 * nothing. (Host-name verification is switched on separately, on the connection factory.)
 */
final class TlsContexts {
  private TlsContexts() {}

  /**
   * A context trusting the CA certificates in {@code caFile} and no others, or the JVM's default
   * trust store when it is empty.
   *
   * @throws IllegalArgumentException naming the option when the file cannot be read or holds no
   *     certificate
   */
  static SSLContext trusting(Optional<Path> caFile) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(caFile.isPresent() ? trustStore(caFile.get()) : null);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** An in-memory trust store with every certificate of the PEM (or DER) file. */
  private static KeyStore trustStore(Path caFile) throws GeneralSecurityException {
    Collection<? extends Certificate> certificates = read(caFile);
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create an empty trust store", e);
    }
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    return store;
  }

  private static Collection<? extends Certificate> read(Path caFile) {
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(caFile)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--amqp-ca-file " + caFile + " does not exist", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("--amqp-ca-file " + caFile + " cannot be read: " + e, e);
    } catch (CertificateException e) {
      throw notCertificates(caFile, e);
    }
    if (certificates.isEmpty()) {
      throw notCertificates(caFile, null);
    }
    return certificates;
  }

  private static IllegalArgumentException notCertificates(Path caFile, Exception cause) {
    // The parser's reason, if any, on the same line: errors are printed as one line.
    String reason =
        cause == null ? "" : ": " + String.valueOf(cause.getMessage()).replaceAll("\\s+", " ");
    return new IllegalArgumentException(
        "--amqp-ca-file "
            + caFile
            + " holds no X.509 certificate (expected PEM blocks"
            + " '-----BEGIN CERTIFICATE-----')"
            + reason,
        cause);
  }
}
