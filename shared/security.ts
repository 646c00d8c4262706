/**
 * How a client proves who it is and checks who it talks to: TLS and SASL, with the names users know
 * from Kafka's clients. Two sources give the same typed settings: the environment
 * (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*; config.ts hands the variables in, as nothing
 * else may read process.env) and a Java-style `--command-config` file, as Kafka's own tools take it.
 * Secrets are wrapped in Secret, which prints as `[redacted]` in JSON, logs and util.inspect.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import { inspect } from 'node:util';
import type { SASLOptions } from 'kafkajs';
import { UsageError, messageOf } from './errors.js';
import { parseJavaProperties } from './java-properties.js';

export const SecurityProtocols = {
  plaintext: 'PLAINTEXT',
  ssl: 'SSL',
  saslPlaintext: 'SASL_PLAINTEXT',
  saslSsl: 'SASL_SSL',
} as const;
export type SecurityProtocol = (typeof SecurityProtocols)[keyof typeof SecurityProtocols];
export const allowedSecurityProtocols: readonly SecurityProtocol[] = Object.values(SecurityProtocols);

export const SaslMechanisms = {
  plain: 'PLAIN',
  scramSha256: 'SCRAM-SHA-256',
  scramSha512: 'SCRAM-SHA-512',
} as const;
export type SaslMechanism = (typeof SaslMechanisms)[keyof typeof SaslMechanisms];
export const allowedSaslMechanisms: readonly SaslMechanism[] = Object.values(SaslMechanisms);

const redacted = '[redacted]';

/** A password or private key: readable only through reveal(), `[redacted]` everywhere else (JSON, pino, console.log). */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return redacted;
  }

  toString(): string {
    return redacted;
  }

  [inspect.custom](): string {
    return redacted;
  }
}

export interface SaslSettings {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: Secret;
}

export interface TlsSettings {
  /** PEM certificates to trust instead of Node's built-in list; undefined = the built-in list. */
  readonly ca: string | undefined;
  readonly caFile: string | undefined;
  /** A client certificate (PEM chain) and its key, for listeners that require one (ssl.client.auth=required). */
  readonly cert: string | undefined;
  readonly certFile: string | undefined;
  readonly key: Secret | undefined;
  readonly keyFile: string | undefined;
  /** The key's passphrase when it is encrypted (ssl.key.password). */
  readonly keyPassphrase: Secret | undefined;
  /** false accepts any certificate: for a throwaway broker only. Default true. */
  readonly rejectUnauthorized: boolean;
  /** false skips only the host name check (ssl.endpoint.identification.algorithm= empty), the chain is still checked. */
  readonly checkHostname: boolean;
}

export interface SecuritySettings {
  readonly protocol: SecurityProtocol;
  /** Set exactly when the protocol is SASL_PLAINTEXT or SASL_SSL. */
  readonly sasl: SaslSettings | undefined;
  /** Set exactly when the protocol is SSL or SASL_SSL. */
  readonly tls: TlsSettings | undefined;
  /** Where these came from, for messages: "the environment" or "--command-config <file>". */
  readonly origin: string;
}

export const plaintextSecurity: SecuritySettings = Object.freeze({
  protocol: SecurityProtocols.plaintext,
  sasl: undefined,
  tls: undefined,
  origin: 'the default',
});

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === SecurityProtocols.ssl || protocol === SecurityProtocols.saslSsl;
}

export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === SecurityProtocols.saslPlaintext || protocol === SecurityProtocols.saslSsl;
}

/** A file a setting names; missing or unreadable is a usage mistake that names the setting and the path, never the content. */
function readSettingFile(path: string, setting: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : messageOf(error);
    throw new UsageError(`${setting}: cannot read ${path} (${why})`);
  }
}

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The PEM blocks of a file whose label matches; a file with none is refused by name. */
function pemBlocks(text: string, labels: RegExp, path: string, setting: string, what: string): string {
  const blocks = [...text.matchAll(pemBlock)].filter((block) => labels.test(block[1] ?? '')).map((block) => block[0]);
  if (blocks.length === 0) throw new UsageError(`${setting}: ${path} holds no PEM ${what} (-----BEGIN ${what.toUpperCase()}-----)`);
  return `${blocks.join('\n')}\n`;
}

const certificateLabel = /^(TRUSTED )?CERTIFICATE$/;
const keyLabel = /PRIVATE KEY$/;

/** What either source says, before validation; file settings are paths. */
export interface SecurityInput {
  protocol?: string | undefined;
  mechanism?: string | undefined;
  username?: string | undefined;
  password?: Secret | undefined;
  passwordFile?: string | undefined;
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  keyPassphrase?: Secret | undefined;
  rejectUnauthorized?: boolean | undefined;
  checkHostname?: boolean | undefined;
}

/** The names each source gives its settings, so a message speaks the user's language. */
interface SettingNames {
  protocol: string;
  mechanism: string;
  username: string;
  password: string;
  passwordFile: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

const environmentNames: SettingNames = {
  protocol: 'KAFKA_SECURITY_PROTOCOL',
  mechanism: 'KAFKA_SASL_MECHANISM',
  username: 'KAFKA_SASL_USERNAME',
  password: 'KAFKA_SASL_PASSWORD',
  passwordFile: 'KAFKA_SASL_PASSWORD_FILE',
  caFile: 'KAFKA_SSL_CA_FILE',
  certFile: 'KAFKA_SSL_CERT_FILE',
  keyFile: 'KAFKA_SSL_KEY_FILE',
};

function commandConfigNames(file: string): SettingNames {
  const at = (key: string) => `${key} in ${file}`;
  return {
    protocol: at('security.protocol'),
    mechanism: at('sasl.mechanism'),
    username: at('sasl.jaas.config (username)'),
    password: at('sasl.jaas.config (password)'),
    passwordFile: at('sasl.jaas.config'),
    caFile: at('ssl.truststore.location'),
    certFile: at('ssl.keystore.location'),
    keyFile: at('ssl.keystore.location'),
  };
}

/** Validates what a source said into settings, reading the files it names. */
export function resolveSecurity(input: SecurityInput, names: SettingNames, origin: string): SecuritySettings {
  const protocolText = (input.protocol ?? SecurityProtocols.plaintext).trim().toUpperCase();
  if (!(allowedSecurityProtocols as readonly string[]).includes(protocolText)) {
    throw new UsageError(`${names.protocol} is "${input.protocol}": use one of ${allowedSecurityProtocols.join(', ')}`);
  }
  const protocol = protocolText as SecurityProtocol;
  const saslGiven = input.mechanism !== undefined || input.username !== undefined || input.password !== undefined || input.passwordFile !== undefined;
  const tlsGiven = input.caFile !== undefined || input.certFile !== undefined || input.keyFile !== undefined;
  if (saslGiven && !usesSasl(protocol)) {
    throw new UsageError(
      `${names.mechanism} or ${names.username} is set but ${names.protocol} is ${protocol}: use ${usesTls(protocol) ? 'SASL_SSL' : 'SASL_PLAINTEXT or SASL_SSL'} to log in with SASL`,
    );
  }
  if (tlsGiven && !usesTls(protocol)) {
    throw new UsageError(`${names.caFile} or ${names.certFile} is set but ${names.protocol} is ${protocol}: use SSL or SASL_SSL to connect with TLS`);
  }
  return Object.freeze({
    protocol,
    sasl: usesSasl(protocol) ? resolveSasl(input, names, protocol) : undefined,
    tls: usesTls(protocol) ? resolveTls(input, names) : undefined,
    origin,
  });
}

function resolveSasl(input: SecurityInput, names: SettingNames, protocol: SecurityProtocol): SaslSettings {
  const mechanismText = input.mechanism?.trim().toUpperCase();
  if (mechanismText === undefined || mechanismText === '') {
    throw new UsageError(`${protocol} needs ${names.mechanism}: one of ${allowedSaslMechanisms.join(', ')}`);
  }
  if (!(allowedSaslMechanisms as readonly string[]).includes(mechanismText)) {
    throw new UsageError(`${names.mechanism} is "${input.mechanism}": use one of ${allowedSaslMechanisms.join(', ')}`);
  }
  const username = input.username?.trim();
  if (username === undefined || username === '') throw new UsageError(`${protocol} needs ${names.username}: the user to log in as`);
  if (input.password !== undefined && input.passwordFile !== undefined) {
    throw new UsageError(`${names.password} and ${names.passwordFile} are both set: keep one`);
  }
  let password = input.password;
  if (input.passwordFile !== undefined) {
    // One trailing newline is what `echo secret > file` adds; it is not part of the password.
    password = new Secret(readSettingFile(input.passwordFile, names.passwordFile).replace(/\r?\n$/, ''));
  }
  if (password === undefined || password.reveal() === '') {
    throw new UsageError(`${protocol} needs a password for ${username}: set ${names.password} or ${names.passwordFile}`);
  }
  return Object.freeze({ mechanism: mechanismText as SaslMechanism, username, password });
}

function resolveTls(input: SecurityInput, names: SettingNames): TlsSettings {
  if ((input.certFile === undefined) !== (input.keyFile === undefined)) {
    throw new UsageError(`a client certificate needs both ${names.certFile} and ${names.keyFile}`);
  }
  const ca =
    input.caFile === undefined
      ? undefined
      : pemBlocks(readSettingFile(input.caFile, names.caFile), certificateLabel, input.caFile, names.caFile, 'certificate');
  let cert: string | undefined;
  let key: Secret | undefined;
  if (input.certFile !== undefined && input.keyFile !== undefined) {
    const certText = readSettingFile(input.certFile, names.certFile);
    // Kafka's PEM keystore is one file with the key and the chain: the same path may be given twice.
    const keyText = input.keyFile === input.certFile ? certText : readSettingFile(input.keyFile, names.keyFile);
    cert = pemBlocks(certText, certificateLabel, input.certFile, names.certFile, 'certificate');
    key = new Secret(pemBlocks(keyText, keyLabel, input.keyFile, names.keyFile, 'private key'));
  }
  return Object.freeze({
    ca,
    caFile: input.caFile,
    cert,
    certFile: input.certFile,
    key,
    keyFile: input.keyFile,
    keyPassphrase: input.keyPassphrase,
    rejectUnauthorized: input.rejectUnauthorized ?? true,
    checkHostname: input.checkHostname ?? true,
  });
}

function parseBoolean(value: string, name: string): boolean {
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === '1' || text === 'yes') return true;
  if (text === 'false' || text === '0' || text === 'no') return false;
  throw new UsageError(`${name} is "${value}": use true or false`);
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* variables; relative paths from the working directory. */
export function securityFromEnvironment(env: Environment, cwd: string): SecuritySettings {
  const value = (name: string): string | undefined => {
    const text = env[name];
    return text === undefined || text === '' ? undefined : text;
  };
  const path = (name: string): string | undefined => {
    const text = value(name);
    return text === undefined ? undefined : resolve(cwd, text);
  };
  const password = value(environmentNames.password);
  const reject = value('KAFKA_SSL_REJECT_UNAUTHORIZED');
  return resolveSecurity(
    {
      protocol: value(environmentNames.protocol),
      mechanism: value(environmentNames.mechanism),
      username: value(environmentNames.username),
      password: password === undefined ? undefined : new Secret(password),
      passwordFile: path(environmentNames.passwordFile),
      caFile: path(environmentNames.caFile),
      certFile: path(environmentNames.certFile),
      keyFile: path(environmentNames.keyFile),
      rejectUnauthorized: reject === undefined ? undefined : parseBoolean(reject, 'KAFKA_SSL_REJECT_UNAUTHORIZED'),
    },
    environmentNames,
    'the environment',
  );
}

/** The keys a --command-config file may hold; any other is refused by name. */
export const allowedCommandConfigKeys = [
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
] as const;

const loginModules: Record<string, readonly SaslMechanism[]> = {
  'org.apache.kafka.common.security.plain.PlainLoginModule': [SaslMechanisms.plain],
  'org.apache.kafka.common.security.scram.ScramLoginModule': [SaslMechanisms.scramSha256, SaslMechanisms.scramSha512],
};

/**
 * `<LoginModule> required username="…" password="…";` → its options. Messages never quote the text:
 * it holds the password.
 */
export function parseJaasConfig(text: string, origin: string): { loginModule: string; options: Map<string, string> } {
  const match = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*?);?\s*$/.exec(text);
  if (!match) throw new UsageError(`${origin} is not "<LoginModule> required username=\\"…\\" password=\\"…\\";"`);
  const loginModule = match[1] ?? '';
  const options = new Map<string, string>();
  const rest = match[3] ?? '';
  const option = /\s*([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/y;
  let position = 0;
  while (position < rest.trimEnd().length) {
    option.lastIndex = position;
    const found = option.exec(rest);
    if (!found) throw new UsageError(`${origin} has something other than name="value" options after "${match[2]}"`);
    options.set(found[1] ?? '', found[2] === undefined ? (found[3] ?? '') : found[2].replace(/\\(.)/g, '$1'));
    position = option.lastIndex;
  }
  return { loginModule, options };
}

/**
 * A `--command-config` file as Kafka's tools read it (security.protocol, sasl.mechanism,
 * sasl.jaas.config, PEM ssl.truststore/keystore locations). Relative paths inside it are taken from
 * the file's own folder, so the file and its certificates can move together.
 */
export function securityFromCommandConfig(file: string, cwd: string): SecuritySettings {
  const path = resolve(cwd, file);
  const origin = `--command-config ${path}`;
  const entries = parseJavaProperties(readSettingFile(path, '--command-config'));
  const values = new Map<string, string>();
  for (const entry of entries) {
    if (!(allowedCommandConfigKeys as readonly string[]).includes(entry.key)) {
      throw new UsageError(
        `--command-config ${path} line ${entry.line}: unknown key "${entry.key}" (known: ${allowedCommandConfigKeys.join(', ')}; brokers come from --brokers)`,
      );
    }
    values.set(entry.key, entry.value.trim());
  }
  const names = commandConfigNames(path);
  const fileIn = (key: string): string | undefined => {
    const text = values.get(key);
    if (text === undefined || text === '') return undefined;
    return isAbsolute(text) ? text : resolve(dirname(path), text);
  };
  for (const typeKey of ['ssl.truststore.type', 'ssl.keystore.type']) {
    const type = values.get(typeKey);
    if (type !== undefined && type.toUpperCase() !== 'PEM') {
      throw new UsageError(`${typeKey} in ${path} is ${type}: only PEM files are read here (export a PEM with keytool -exportcert -rfc)`);
    }
  }
  let username: string | undefined;
  let password: Secret | undefined;
  const jaas = values.get('sasl.jaas.config');
  const mechanism = values.get('sasl.mechanism');
  if (jaas !== undefined) {
    const parsed = parseJaasConfig(jaas, `sasl.jaas.config in ${path}`);
    const fits = loginModules[parsed.loginModule];
    if (fits === undefined) {
      throw new UsageError(`sasl.jaas.config in ${path} names ${parsed.loginModule}: use ${Object.keys(loginModules).join(' or ')}`);
    }
    const wanted = mechanism?.toUpperCase();
    if (wanted !== undefined && !(fits as readonly string[]).includes(wanted)) {
      throw new UsageError(`sasl.jaas.config in ${path} uses ${parsed.loginModule.split('.').pop()}, which does not do sasl.mechanism=${mechanism}`);
    }
    for (const key of parsed.options.keys()) {
      if (key !== 'username' && key !== 'password')
        throw new UsageError(`sasl.jaas.config in ${path} has option "${key}": only username and password are read`);
    }
    username = parsed.options.get('username');
    const secret = parsed.options.get('password');
    password = secret === undefined ? undefined : new Secret(secret);
  }
  const keystore = fileIn('ssl.keystore.location');
  const keyPassword = values.get('ssl.key.password');
  const identification = values.get('ssl.endpoint.identification.algorithm');
  if (identification !== undefined && identification !== '' && identification.toLowerCase() !== 'https') {
    throw new UsageError(`ssl.endpoint.identification.algorithm in ${path} is "${identification}": use https (check the host name) or nothing (don't)`);
  }
  return resolveSecurity(
    {
      protocol: values.get('security.protocol'),
      mechanism,
      username,
      password,
      caFile: fileIn('ssl.truststore.location'),
      certFile: keystore,
      keyFile: keystore,
      keyPassphrase: keyPassword === undefined || keyPassword === '' ? undefined : new Secret(keyPassword),
      checkHostname: identification === undefined ? undefined : identification !== '',
    },
    names,
    origin,
  );
}

/** What KafkaJS's constructor takes for these settings: `ssl` (TLS options for the socket factory) and `sasl`. */
export interface KafkaJsSecurity {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

const secureContexts = new WeakMap<TlsSettings, SecureContext>();

/**
 * The key and certificates go into one native SecureContext, made once: no option object KafkaJS
 * keeps (and could log) holds the key, and a bad key or passphrase is a usage error up front.
 */
function secureContextFor(tls: TlsSettings, origin: string): SecureContext {
  let context = secureContexts.get(tls);
  if (context === undefined) {
    try {
      context = createSecureContext({
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
        ...(tls.keyPassphrase === undefined ? {} : { passphrase: tls.keyPassphrase.reveal() }),
      });
    } catch (error) {
      const files = [tls.caFile, tls.certFile, tls.keyFile].filter((file) => file !== undefined);
      throw new UsageError(`the TLS files from ${origin} (${files.join(', ')}) can't be used: ${messageOf(error)}`);
    }
    secureContexts.set(tls, context);
  }
  return context;
}

export function kafkaJsSecurity(security: SecuritySettings): KafkaJsSecurity {
  const result: KafkaJsSecurity = {};
  if (security.tls !== undefined) {
    result.ssl = {
      secureContext: secureContextFor(security.tls, security.origin),
      rejectUnauthorized: security.tls.rejectUnauthorized,
      ...(security.tls.checkHostname ? {} : { checkServerIdentity: () => undefined }),
    };
  }
  if (security.sasl !== undefined) {
    const { password } = security.sasl;
    const sasl = { mechanism: security.sasl.mechanism.toLowerCase(), username: security.sasl.username };
    // Not enumerable: printing or serialising KafkaJS's copy of its config shows no password.
    Object.defineProperty(sasl, 'password', { get: () => password.reveal(), enumerable: false });
    result.sasl = sasl as SASLOptions;
  }
  return result;
}

/** One line for logs and banners: protocol, mechanism and user, never a secret. */
export function describeSecurity(security: SecuritySettings): string {
  const parts: string[] = [security.protocol];
  if (security.sasl) parts.push(`${security.sasl.mechanism} as ${security.sasl.username}`);
  if (security.tls?.cert) parts.push('with a client certificate');
  return parts.join(' ');
}
