/**
 * What the workshop's tests share: a learner name of their own on the test broker (so they never
 * touch a real learner's topics), removed with everything it made when the file ends.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, inject } from 'vitest';
import { settings } from '../../shared/config.js';
import { createKafka } from '../../shared/kafka-client.js';
import { exercises } from '../../workshop/exercises.js';
import { exerciseFiles, isAvailable } from '../../workshop/lib/run-check.js';
import type { ExerciseMeta } from '../../workshop/lib/types.js';
import { testLog } from '../integration/helpers/kafka.js';

export { testLog };

export function testBrokers(): string[] {
  return inject('brokers');
}

/** `alice-1f3a9c`: a user name Kafka and parseUser accept, unique to this run. */
export function testUser(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`;
}

/** Deletes every topic and group named `<user>.…` once the file's tests are done. */
export function removeUserAfterAll(...users: string[]): void {
  afterAll(async () => {
    const admin = createKafka({ clientId: 'workshop-test-cleanup', brokers: testBrokers(), log: testLog }).admin();
    await admin.connect();
    try {
      const mine = (name: string) => users.some((user) => name.startsWith(`${user}.`));
      const topics = (await admin.listTopics()).filter(mine);
      if (topics.length > 0) await admin.deleteTopics({ topics });
      const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter(mine);
      if (groups.length > 0) await admin.deleteGroups(groups).catch(() => {});
    } finally {
      await admin.disconnect();
    }
  });
}

/** The replication exercise brings its own 3-node cluster: minutes of JVMs, so only on CI or when asked. */
export function runsThreeNodeExercises(): boolean {
  // Tests may read the environment for what to run; settings() holds CI already.
  return settings().ci || process.env.WORKSHOP_FULL === '1';
}

/** Exercises whose start.ts, check.ts and reference solution have all landed. */
export function completeExercises(): ExerciseMeta[] {
  return exercises.filter((meta) => isAvailable(meta) && existsSync(exerciseFiles(meta).solution));
}
