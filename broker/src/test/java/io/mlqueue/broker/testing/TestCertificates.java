package io.mlqueue.broker.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for TLS tests, made at test time and written as PEM files into
 * a directory: the CA certificate for clients to trust, and server certificates it signs for the
 * broker. Uses Bouncy Castle, which Qpid Broker-J brings along.
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.create(tempDir);
 * TestCertificates.Server server = ca.issue("broker", "127.0.0.1", "localhost");
 * EmbeddedBroker.start(Options.defaults().withTls(new Tls(0, server.certificate(), server.privateKey())));
 * // clients trust ca.caFile()
 * }</pre>
 */
public final class TestCertificates {
  private static final Duration VALIDITY = Duration.ofDays(1);
  private static final String SIGNATURE = "SHA256withRSA";
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private final Path caFile;

  private TestCertificates(Path dir, KeyPair caKeys, X509Certificate caCertificate, Path caFile) {
    this.dir = dir;
    this.caKeys = caKeys;
    this.caCertificate = caCertificate;
    this.caFile = caFile;
  }

  /** A server certificate and its private key, as PEM files. */
  public record Server(Path certificate, Path privateKey) {}

  /** Makes a new CA and writes its certificate to {@code dir/ca.pem}. */
  public static TestCertificates create(Path dir) {
    try {
      KeyPair keys = rsaKeys();
      X500Name name = new X500Name("CN=mlqueue test CA " + SERIAL.get());
      X509v3CertificateBuilder builder = builder(name, name, keys);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(
              Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(
              Extension.subjectKeyIdentifier,
              false,
              extensions.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, keys.getPrivate());
      Path caFile = writePem(dir.resolve("ca.pem"), certificate);
      return new TestCertificates(dir, keys, certificate, caFile);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a test CA", e);
    }
  }

  /** The CA certificate, PEM: what a client trusts. */
  public Path caFile() {
    return caFile;
  }

  /**
   * Signs a server certificate for {@code hosts} (IP addresses or DNS names, as subject alternative
   * names) and writes {@code dir/<name>.pem} and {@code dir/<name>-key.pem}.
   */
  public Server issue(String name, String... hosts) {
    try {
      KeyPair keys = rsaKeys();
      X500Name subject = new X500Name("CN=" + (hosts.length > 0 ? hosts[0] : name));
      X500Name issuer = X500Name.getInstance(caCertificate.getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder = builder(issuer, subject, keys);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      GeneralName[] names = new GeneralName[hosts.length];
      for (int i = 0; i < hosts.length; i++) {
        names[i] =
            looksLikeAddress(hosts[i])
                ? new GeneralName(GeneralName.iPAddress, hosts[i])
                : new GeneralName(GeneralName.dNSName, hosts[i]);
      }
      builder
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(
              Extension.keyUsage,
              true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
          .addExtension(
              Extension.authorityKeyIdentifier,
              false,
              extensions.createAuthorityKeyIdentifier(caCertificate));
      X509Certificate certificate = sign(builder, caKeys.getPrivate());
      return new Server(
          writePem(dir.resolve(name + ".pem"), certificate),
          writePem(dir.resolve(name + "-key.pem"), new JcaPKCS8Generator(keys.getPrivate(), null)));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a test certificate", e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofMinutes(5))), // valid at once, whatever the rounding
        Date.from(now.plus(VALIDITY)),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
  }

  private static KeyPair rsaKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static boolean looksLikeAddress(String host) {
    return host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":");
  }

  private static Path writePem(Path file, Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return Files.writeString(file, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
