#!/usr/bin/env node
/**
 * What every `npm run` script runs: `node bin/run.mjs dist/<entry>.js [args…]` builds dist/ only when
 * a source is newer than the last build, then runs the entry in this same process.
 *
 * Why here: `bin/` holds the one file the npm scripts run before anything is built, so it is plain
 * JavaScript that needs no build of its own; the TypeScript folders keep their roles.
 *
 * Why not `tsc -p tsconfig.build.json && exec node …`: an incremental tsc with nothing to do still
 * costs about a second (it loads the compiler and reads every source), while comparing modification
 * times costs a few milliseconds. `npm ci` builds once (the `prepare` script); after that only an edit
 * rebuilds.
 *
 * Why the entry runs in this process (an `import()`, not a child process): Node can't exec, and a
 * second Node process costs another start-up and would have to forward signals and exit codes.
 * Imported here, the entry is the process npm started (`exec node` in the script), so Ctrl-C reaches
 * it directly and its exit code is npm's, exactly as `exec node dist/<entry>.js` gave.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
/** tsc's incremental state, written by every build: its modification time is the last build's. */
const stamp = join(root, 'dist', '.tsbuildinfo');
/** What tsconfig.build.json compiles, and the files that change how it compiles. */
const sourceFolders = ['kafka', 'producer', 'consumer', 'shared', 'test/bench', 'test/faults'];
const configFiles = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** Only these can change the output (JSON: `resolveJsonModule`). */
const sourceFile = /\.(?:[cm]?ts|json)$/;
/** Maven's output under kafka/ holds no sources and thousands of files. */
const skippedFolders = new Set(['node_modules', 'target']);

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether anything under `folder` is newer than `since`. A folder's own time changes when a file in it is added, renamed or deleted. */
function changedSince(folder, since) {
  if (mtimeMs(folder) > since) return true;
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name) && !entry.name.startsWith('.') && changedSince(path, since)) return true;
    } else if (sourceFile.test(entry.name) && mtimeMs(path) > since) {
      return true;
    }
  }
  return false;
}

function isStale() {
  const built = mtimeMs(stamp);
  if (built === 0) return true;
  return configFiles.some((file) => mtimeMs(join(root, file)) > built) || sourceFolders.some((folder) => changedSince(join(root, folder), built));
}

function build() {
  // The start time becomes the stamp: a file saved while tsc runs is newer and is built next time.
  const startedAt = new Date();
  if (process.stderr.isTTY) process.stderr.write('Sources changed since the last build: tsc -p tsconfig.build.json\n');
  // tsc reports on stdout; here that goes to stderr, so that `npm run -s produce -- --json | jq` reads only data.
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (tsc.error) throw tsc.error;
  if (tsc.status !== 0) {
    // tsc writes its build info even when it reports errors: dated back to 1970, the next run builds
    // (and shows the errors) again, as `tsc && node` did, rather than running what the errors left.
    try {
      utimesSync(stamp, new Date(0), new Date(0));
    } catch {
      // No build info was written (a broken tsconfig): the next run builds anyway.
    }
    process.exit(tsc.status ?? 1);
  }
  // tsc leaves its build info untouched when the change was only a save without edits: mark the build anyway.
  utimesSync(stamp, startedAt, startedAt);
}

const entry = process.argv[2];
if (entry === undefined) {
  process.stderr.write('usage: node bin/run.mjs dist/<entry>.js [args…]\n');
  process.exit(2);
}
if (isStale()) build();
const entryPath = resolve(root, entry);
// The entry reads its flags as if Node had started it: [node, entry, …args] (yargs' hideBin drops two).
process.argv.splice(1, 2, entryPath);
await import(pathToFileURL(entryPath).href);
