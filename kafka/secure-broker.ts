/**
 * What `kafka:up -- --secure` adds to the local broker: a throwaway CA, a broker certificate and a
 * client certificate made on the spot with the JDK's keytool, and a generated password for the
 * user `alice` (SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN). Everything sits in `<home>/secure/`;
 * private keys and passwords are mode 600 and never printed: clients are pointed at the files.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes, HarnessError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { ListenerSecurity } from './layout.js';
import { runToEnd, type JavaRuntime } from './prerequisites.js';

/** The one user a secure local broker knows; its password is generated. */
export const secureUser = 'alice';

/** Names the broker certificate is valid for by default: clients may connect to either. */
export const defaultCertificateHosts: readonly string[] = ['127.0.0.1', 'localhost'];

export interface SecurePaths {
  dir: string;
  /** The CA certificate clients trust (KAFKA_SSL_CA_FILE); the broker also checks client certificates against it. */
  caPem: string;
  /** The CA's key pair: kept to sign, never handed out. */
  caKeystore: string;
  /** The broker's key and certificate chain (PKCS12), for ssl.keystore.location. */
  brokerKeystore: string;
  /** A client certificate and key (PEM), for the SSL listener that requires one. */
  clientCert: string;
  clientKey: string;
  /** alice's password (KAFKA_SASL_PASSWORD_FILE). */
  passwordFile: string;
  /** The keystores' password. */
  keystorePasswordFile: string;
}

export function securePaths(home: string): SecurePaths {
  const dir = join(home, 'secure');
  return {
    dir,
    caPem: join(dir, 'ca.pem'),
    caKeystore: join(dir, 'ca.p12'),
    brokerKeystore: join(dir, 'broker.p12'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    passwordFile: join(dir, `${secureUser}.password`),
    keystorePasswordFile: join(dir, 'keystore.password'),
  };
}

/** What the broker's server.properties needs for its SASL_SSL and SSL listeners. */
export type BrokerSecurity = ListenerSecurity;

/**
 * The broker's common name is no host name: TLS clients fall back to it when the certificate lists
 * no DNS name, and it must not quietly pass a host the SAN leaves out.
 *
 * One JVM runs every keytool step (keytool's own main, called in turn) and writes the client key as
 * PEM, which keytool itself can't: about a second where separate keytool runs take ten.
 */
const certificateMaker = `
import java.nio.file.*;
import java.security.*;
import java.util.Base64;

public class MakeCertificates {
  static void keytool(String... args) throws Exception { sun.security.tools.keytool.Main.main(args); }

  public static void main(String[] a) throws Exception {
    String dir = a[0], pass = a[1], san = a[2], days = "825";
    String ca = dir + "/ca.p12";
    String[] key = { "-storetype", "PKCS12", "-storepass", pass, "-keypass", pass, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", days, "-noprompt" };
    keytool(concat(new String[] { "-genkeypair", "-alias", "ca", "-keystore", ca, "-dname", "CN=kafka-harness throwaway CA", "-ext", "bc:c" }, key));
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", pass, "-file", dir + "/ca.pem");
    for (String name : new String[] { "broker", "client" }) {
      String store = dir + "/" + name + ".p12";
      keytool(concat(new String[] { "-genkeypair", "-alias", name, "-keystore", store, "-dname", "CN=" + (name.equals("broker") ? "kafka-harness broker" : "alice") }, key));
      keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", pass, "-file", dir + "/" + name + ".csr");
      String[] sign = { "-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", pass, "-validity", days,
        "-infile", dir + "/" + name + ".csr", "-outfile", dir + "/" + name + ".pem",
        "-ext", name.equals("broker") ? "eku=serverAuth,clientAuth" : "eku=clientAuth" };
      keytool(name.equals("broker") ? concat(sign, new String[] { "-ext", "SAN=" + san }) : sign);
      keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", store, "-storepass", pass, "-file", dir + "/ca.pem");
      keytool("-importcert", "-noprompt", "-alias", name, "-keystore", store, "-storepass", pass, "-file", dir + "/" + name + ".pem");
      Files.delete(Path.of(dir, name + ".csr"));
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(Path.of(dir, "client.p12"))) { store.load(in, pass.toCharArray()); }
    byte[] pkcs8 = store.getKey("client", pass.toCharArray()).getEncoded();
    String pem = "-----BEGIN PRIVATE KEY-----\\n" + Base64.getMimeEncoder(64, "\\n".getBytes()).encodeToString(pkcs8) + "\\n-----END PRIVATE KEY-----\\n";
    Files.writeString(Path.of(dir, "client.key"), pem);
    Files.delete(Path.of(dir, "client.p12"));
  }

  static String[] concat(String[] first, String[] second) {
    String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }
}
`;

/** keytool's -ext SAN value: IP:… for addresses, DNS:… for names. */
export function subjectAltNames(hosts: readonly string[]): string {
  return hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  // writeFile's mode applies only to a new file.
  await chmod(path, 0o600);
}

export interface EnsureSecureOptions {
  java: JavaRuntime;
  log: Logger;
  /** Host names and addresses the broker certificate is valid for. Default 127.0.0.1 and localhost. */
  certificateHosts?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Makes the certificates and passwords once; later calls read them back, so the SCRAM credentials
 * formatted into the storage keep matching the password file.
 */
export async function ensureSecureMaterial(home: string, options: EnsureSecureOptions): Promise<BrokerSecurity> {
  const paths = securePaths(home);
  const complete = [paths.caPem, paths.brokerKeystore, paths.clientCert, paths.clientKey, paths.passwordFile, paths.keystorePasswordFile].every((path) =>
    existsSync(path),
  );
  if (!complete) {
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    const keystorePassword = randomPassword();
    const maker = join(paths.dir, 'MakeCertificates.java');
    await writeFile(maker, certificateMaker);
    const hosts = options.certificateHosts ?? defaultCertificateHosts;
    const { code, output } = await runToEnd(
      options.java.path,
      ['--add-exports', 'java.base/sun.security.tools.keytool=ALL-UNNAMED', maker, paths.dir, keystorePassword, subjectAltNames(hosts)],
      options.signal,
    );
    if (code !== 0) {
      throw new HarnessError(ErrorCodes.brokerStartFailed, `making the throwaway certificates with keytool failed (exit ${code})`, {
        // keytool prints no secret, but the command line holds the keystore password: show the output only.
        details: output.trim().split('\n').slice(-10),
      });
    }
    await writeSecret(paths.keystorePasswordFile, `${keystorePassword}\n`);
    await writeSecret(paths.passwordFile, `${randomPassword()}\n`);
    for (const secret of [paths.caKeystore, paths.brokerKeystore, paths.clientKey]) await chmod(secret, 0o600);
    options.log.debug({ dir: paths.dir, hosts }, 'throwaway CA, broker and client certificates made');
  }
  const password = (await readFile(paths.passwordFile, 'utf8')).trim();
  return {
    keystore: paths.brokerKeystore,
    keystorePassword: (await readFile(paths.keystorePasswordFile, 'utf8')).trim(),
    truststorePem: paths.caPem,
    plainUsers: { [secureUser]: password },
  };
}

/** StorageTool's --add-scram arguments: alice with both SCRAM mechanisms. */
export function scramFormatArguments(security: BrokerSecurity): string[] {
  return Object.entries(security.plainUsers).flatMap(([name, password]) =>
    ['SCRAM-SHA-512', 'SCRAM-SHA-256'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${name},password=${password}]`]),
  );
}

/** The secure listeners of a node, as layout.ts plans them. */
export interface SecurePorts {
  nodeId: number;
  saslSslPort?: number | undefined;
  sslPort?: number | undefined;
}

/**
 * What kafka:up prints for a secure cluster: the listeners and the lines a client exports. The
 * password stays in its file: KAFKA_SASL_PASSWORD_FILE points there.
 */
export function secureClientLines(home: string, host: string, nodes: readonly SecurePorts[]): string[] {
  const paths = securePaths(home);
  const saslSsl = nodes.flatMap((node) => (node.saslSslPort === undefined ? [] : [`${host}:${node.saslSslPort}`])).join(',');
  const ssl = nodes.flatMap((node) => (node.sslPort === undefined ? [] : [`${host}:${node.sslPort}`])).join(',');
  return [
    `  SASL_SSL ${saslSsl} (SCRAM-SHA-512, SCRAM-SHA-256, PLAIN; user ${secureUser}) · SSL with a client certificate ${ssl}`,
    `  files in ${dirname(paths.caPem)}: ca.pem (trust it), ${secureUser}.password, client.pem and client.key (mode 600)`,
    '  Over SASL_SSL, paste:',
    `export KAFKA_BROKERS=${saslSsl} KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_MECHANISM=SCRAM-SHA-512 KAFKA_SASL_USERNAME=${secureUser} KAFKA_SASL_PASSWORD_FILE=${paths.passwordFile} KAFKA_SSL_CA_FILE=${paths.caPem}`,
    '  Over SSL with the client certificate:',
    `export KAFKA_BROKERS=${ssl} KAFKA_SECURITY_PROTOCOL=SSL KAFKA_SSL_CA_FILE=${paths.caPem} KAFKA_SSL_CERT_FILE=${paths.clientCert} KAFKA_SSL_KEY_FILE=${paths.clientKey}`,
    '  Back to the plaintext listener: unset KAFKA_BROKERS KAFKA_SECURITY_PROTOCOL KAFKA_SASL_MECHANISM KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD_FILE KAFKA_SSL_CA_FILE KAFKA_SSL_CERT_FILE KAFKA_SSL_KEY_FILE',
  ];
}
