/** Which exercise a learner means (`check 3`, `check 03`, `check lag`) and where each one stands. */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { UsageError } from '../../shared/errors.js';
import { projectRoot } from '../../shared/paths.js';
import { exercises } from '../exercises.js';
import { exerciseFiles, isAvailable } from '../lib/run-check.js';
import type { ExerciseMeta } from '../lib/types.js';
import { ExerciseStatuses, recordOf, type ExerciseStatus, type Progress } from './progress.js';

/** An exercise by its number (`3`, `03`) or its slug, with or without the number (`lag`, `05-lag`). */
export function findExercise(text: string | number, all: readonly ExerciseMeta[] = exercises): ExerciseMeta {
  const given = String(text).trim();
  const byNumber = /^\d+$/.test(given) ? all.find((meta) => meta.id === Number(given)) : undefined;
  const found = byNumber ?? all.find((meta) => meta.slug === given || meta.slug.replace(/^\d+-/, '') === given);
  if (found === undefined) {
    const first = all[0]?.id ?? 1;
    const last = all.at(-1)?.id ?? first;
    throw new UsageError(`there is no exercise "${given}": give a number from ${first} to ${last} (npm run exercise -- list)`);
  }
  return found;
}

export type ShownStatus = ExerciseStatus | 'not available yet';

export function statusOf(meta: ExerciseMeta, progress: Progress): ShownStatus {
  if (!isAvailable(meta)) return 'not available yet';
  const recorded = recordOf(progress, meta.id).status;
  if (recorded !== undefined) return recorded;
  return existsSync(exerciseFiles(meta).exercise) ? ExerciseStatuses.started : ExerciseStatuses.notStarted;
}

/** The first exercise that is available and not passed; undefined when every available one is passed. */
export function currentExercise(progress: Progress, all: readonly ExerciseMeta[] = exercises): ExerciseMeta | undefined {
  return all.find((meta) => isAvailable(meta) && statusOf(meta, progress) !== ExerciseStatuses.passed);
}

/** The next available exercise after `meta`, passed or not. */
export function nextExercise(meta: ExerciseMeta, all: readonly ExerciseMeta[] = exercises): ExerciseMeta | undefined {
  return all.find((other) => other.id > meta.id && isAvailable(other));
}

/** A path as the learner types it: relative to the project. */
export function shownPath(path: string): string {
  return relative(projectRoot, path);
}
