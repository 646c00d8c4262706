/**
 * The learner's progress, kept in `.workshop/progress.json` (git-ignored): each exercise's last result
 * and how many of its hints were seen. Written whole to a temporary file and renamed, so a Ctrl-C in
 * the middle of a write never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const ExerciseStatuses = {
  notStarted: 'not started',
  started: 'started',
  failing: 'failing',
  passed: 'passed',
} as const;
export type ExerciseStatus = (typeof ExerciseStatuses)[keyof typeof ExerciseStatuses];
export const allowedExerciseStatuses: readonly ExerciseStatus[] = Object.values(ExerciseStatuses);

const recordSchema = z.object({
  /** The last check's result; passed stays passed until `reset N`. */
  status: z.enum(['started', 'failing', 'passed']).optional(),
  /** Passed at least once: `solution N` shows the answer without --force from then on. */
  everPassed: z.boolean().default(false),
  hintsSeen: z.number().int().min(0).default(0),
  lastCheckedAt: z.string().optional(),
  lastSeed: z.number().int().optional(),
});
export type ExerciseRecord = z.infer<typeof recordSchema>;

const progressSchema = z.object({
  version: z.literal(1),
  exercises: z.record(z.string(), recordSchema),
});
export type Progress = z.infer<typeof progressSchema>;

export function progressPath(stateDir: string): string {
  return join(stateDir, 'progress.json');
}

/** The saved progress, or an empty one when there is none yet or the file is unreadable (it is only a convenience). */
export function loadProgress(stateDir: string): Progress {
  try {
    return progressSchema.parse(JSON.parse(readFileSync(progressPath(stateDir), 'utf8')));
  } catch {
    return { version: 1, exercises: {} };
  }
}

export function saveProgress(stateDir: string, progress: Progress): void {
  mkdirSync(stateDir, { recursive: true });
  const path = progressPath(stateDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(temporary, path);
}

export function recordOf(progress: Progress, id: number): ExerciseRecord {
  return progress.exercises[String(id)] ?? { hintsSeen: 0, everPassed: false };
}

/** Reads, changes one exercise's record and writes back: each command is short, so read-modify-write is enough. */
export function updateRecord(stateDir: string, id: number, change: (record: ExerciseRecord) => ExerciseRecord): ExerciseRecord {
  const progress = loadProgress(stateDir);
  const updated = change(recordOf(progress, id));
  progress.exercises[String(id)] = updated;
  saveProgress(stateDir, progress);
  return updated;
}
