import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaVersion } from '../../../kafka/layout.js';
import { jarCacheDir } from '../../../kafka/testing/jar-cache.js';
import { readSettings } from '../../../shared/config.js';

describe('jarCacheDir', () => {
  it('uses XDG_CACHE_HOME, one folder per Kafka version', () => {
    expect(jarCacheDir(readSettings({ XDG_CACHE_HOME: '/var/cache/ci', HOME: '/home/ada' }))).toBe(`/var/cache/ci/kafka-harness/${kafkaVersion}/libs`);
  });

  it('falls back to ~/.cache when XDG_CACHE_HOME is unset or relative', () => {
    expect(jarCacheDir(readSettings({ HOME: '/home/ada' }))).toBe(`/home/ada/.cache/kafka-harness/${kafkaVersion}/libs`);
    expect(jarCacheDir(readSettings({ HOME: '/home/ada', XDG_CACHE_HOME: 'cache' }))).toBe(`/home/ada/.cache/kafka-harness/${kafkaVersion}/libs`);
  });

  it('takes KAFKA_HARNESS_JARS as the jars folder itself, relative to the working directory', () => {
    expect(jarCacheDir(readSettings({ KAFKA_HARNESS_JARS: '/opt/kafka/libs', XDG_CACHE_HOME: '/var/cache/ci' }))).toBe('/opt/kafka/libs');
    expect(jarCacheDir(readSettings({ KAFKA_HARNESS_JARS: '.kafka/libs' }))).toBe(join(process.cwd(), '.kafka/libs'));
  });

  it('keeps versions apart', () => {
    expect(jarCacheDir({ jarsDir: undefined, cacheHome: '/c' }, '9.9.9')).toBe('/c/kafka-harness/9.9.9/libs');
  });
});
