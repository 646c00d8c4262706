/**
 * The contract between the workshop's runner (workshop/runner/), its exercises (workshop/NN-slug/) and
 * their tests (test/workshop/). Types only.
 */
import type { Logger } from '../../shared/logger.js';

/** A topic an exercise owns; its name is scoped to the learner (HARNESS_USER) before use. */
export interface ExerciseTopic {
  /** Base name, e.g. `ws01-orders`; the runner turns it into `alice.ws01-orders` for HARNESS_USER=alice. */
  readonly name: string;
  readonly partitions: number;
  /** Default 1; exercise 6 uses 3 (with min.insync.replicas=2). */
  readonly replicationFactor?: number;
  /** Topic configs, e.g. `{ 'min.insync.replicas': '2' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** One exercise's metadata: every exercise's lives in workshop/exercises.ts, one file. */
export interface ExerciseMeta {
  /** 1 … 10, the order of the path. */
  readonly id: number;
  /** Folder name: `01-keys-and-partitions`. */
  readonly slug: string;
  readonly title: string;
  /** The Kafka idea in one sentence, shown by `list` and `start`. */
  readonly concept: string;
  /** Given one at a time by `hint N`, from gentle to nearly the answer. */
  readonly hints: readonly string[];
  /** The whole check must finish within this (ms); it is then stopped and fails with "timed out". */
  readonly timeLimitMs: number;
  /** Topics the check creates (deleted and recreated by `reset N`). */
  readonly topics: readonly ExerciseTopic[];
  /** Consumer groups the check uses, base names (deleted by `reset N`). */
  readonly groups: readonly string[];
  /** Nodes the exercise needs: 3 for replication and failover (the check brings its own cluster). */
  readonly nodes: 1 | 3;
  /** Minutes a learner typically spends on it (instructor notes). */
  readonly minutes: number;
}

/** One named item of a check's checklist, in the learner's terms. */
export interface CheckItem {
  /** What is checked: "every order of a customer is on one partition". */
  readonly name: string;
  readonly ok: boolean;
  /** What should be seen: "1,000 orders, all in seq order per customer". */
  readonly expected: string;
  /** What was seen: "3 of 1,000 orders of customer-42 arrived out of order on partition 2: seq 17 after 18". */
  readonly actual: string;
  /** Shown when it failed: the next thing to look at. */
  readonly hint?: string;
}

/** What a check is given by the runner (or by a test). */
export interface CheckContext {
  /** Bootstrap brokers of the cluster the exercise runs on (for nodes: 3, the check's own cluster decides). */
  readonly brokers: readonly string[];
  /** HARNESS_USER, or undefined. */
  readonly user: string | undefined;
  /** A base name (topic, group, transactional id, client id) scoped to the user: `alice.ws01-orders`. */
  readonly scoped: (name: string) => string;
  /**
   * Absolute path of the module under test: the learner's file, or the reference solution
   * (`check N --solution`, and the tests). Checks import it or run it in a child process, never read it as text.
   */
  readonly file: string;
  readonly log: Logger;
  /** Aborted at the time limit or on Ctrl-C: the check stops what it started and returns. */
  readonly signal: AbortSignal;
  /** Seed for any random input; the runner prints it so a failure can be replayed. */
  readonly seed: number;
}

/** Every exercise's check.ts default-exports one of these. */
export type Check = (context: CheckContext) => Promise<readonly CheckItem[]>;
