import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jarFileName, jarUrl, parseJarsLock, readJarsLock } from '../../../kafka/jars-lock.js';
import { kafkaVersion } from '../../../kafka/layout.js';
import { projectRoot } from '../../../shared/paths.js';

const jar = { group: 'org.apache.kafka', artifact: 'kafka_2.13', version: '4.3.1', sha256: 'a'.repeat(64), size: 10 };
const lockText = (jars: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ kafkaVersion: '4.3.1', jars, ...extra });

describe('kafka/jars.lock.json', () => {
  const lock = readJarsLock();

  it('pins the Kafka version the broker is started as', () => {
    expect(lock.kafkaVersion).toBe(kafkaVersion);
  });

  it("holds every dependency kafka/pom.xml declares, at the pom's versions", () => {
    const pom = readFileSync(join(projectRoot, 'kafka', 'pom.xml'), 'utf8');
    const property = (name: string): string => new RegExp(`<${name}>([^<]+)</${name}>`).exec(pom)?.[1] ?? '';
    const declared = [...pom.matchAll(/<dependency>\s*<groupId>([^<]+)<\/groupId>\s*<artifactId>([^<]+)<\/artifactId>\s*<version>\$\{([^}]+)\}<\/version>/g)];
    expect(declared.length).toBeGreaterThanOrEqual(5);
    for (const [, group, artifact, versionProperty] of declared) {
      expect(lock.jars).toContainEqual(expect.objectContaining({ group, artifact, version: property(versionProperty ?? '') }));
    }
  });
});

describe('parseJarsLock', () => {
  it('accepts a well-formed lock', () => {
    expect(parseJarsLock(lockText([jar]), 'test.json').jars).toEqual([jar]);
  });

  it.each([
    ['not JSON', '{', /test\.json is not valid JSON/],
    ['a short hash', lockText([{ ...jar, sha256: 'abc' }]), /test\.json: jars\.0\.sha256: 64 lowercase hex digits/],
    ['a missing version', lockText([{ ...jar, version: undefined }]), /test\.json: jars\.0\.version:/],
    ['a path in a coordinate', lockText([{ ...jar, artifact: '../../etc' }]), /jars\.0\.artifact: letters, digits/],
    ['an unknown key', lockText([jar], { repository: 'x' }), /test\.json: \(top level\): .*repository/],
    ['no jars', lockText([]), /test\.json: jars:/],
    ['a jar twice', lockText([jar, { ...jar, group: 'other' }]), /test\.json lists kafka_2\.13-4\.3\.1\.jar twice/],
  ])('rejects %s with one line that names the file and field', (_name, text, message) => {
    expect(() => parseJarsLock(text, 'test.json')).toThrow(message);
    expect(() => parseJarsLock(text, 'test.json')).toThrow(/git checkout -- kafka\/jars\.lock\.json$/);
  });
});

describe('jarUrl', () => {
  it("follows Maven's repository layout, with or without a trailing slash on the base", () => {
    const url = 'https://repo1.maven.org/maven2/org/apache/kafka/kafka_2.13/4.3.1/kafka_2.13-4.3.1.jar';
    expect(jarUrl(jar, 'https://repo1.maven.org/maven2')).toBe(url);
    expect(jarUrl(jar, 'https://repo1.maven.org/maven2/')).toBe(url);
    expect(jarFileName(jar)).toBe('kafka_2.13-4.3.1.jar');
  });
});
