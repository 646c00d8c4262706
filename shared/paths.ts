import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root, found by walking up to package.json: this file runs both from `shared/` (tests)
 * and from `dist/shared/` (the CLIs), so a fixed `../` would be wrong in one of them.
 */
function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** Compiled JavaScript of a source file, e.g. `distPath('producer/worker.js')`. */
export function distPath(relativeJsPath: string): string {
  return join(projectRoot, 'dist', relativeJsPath);
}
