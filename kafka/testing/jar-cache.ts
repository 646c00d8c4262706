/**
 * Where the throwaway brokers of kafka-harness/testing find the Kafka jars: about 56 MB, so they are
 * fetched once per machine into the user's cache, not once per project or per test run.
 */
import { join } from 'node:path';
import type { Settings } from '../../shared/config.js';
import { kafkaVersion } from '../layout.js';

/**
 * KAFKA_HARNESS_JARS (or the `jarsDir` option) as it is, else
 * `<XDG_CACHE_HOME or ~/.cache>/kafka-harness/<Kafka version>/libs`: one folder per Kafka version,
 * so an upgrade of this package fetches its own jars beside the old ones instead of replacing them
 * under a broker another project is running.
 */
export function jarCacheDir(settings: Pick<Settings, 'jarsDir' | 'cacheHome'>, version = kafkaVersion): string {
  return settings.jarsDir ?? join(settings.cacheHome, 'kafka-harness', version, 'libs');
}
