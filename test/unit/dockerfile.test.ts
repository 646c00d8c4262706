import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../shared/paths.js';

// No Docker engine here, so the Dockerfile is parsed and checked for what the image relies on.
interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, continuation lines joined and comments dropped, each tagged with its stage. */
function parseDockerfile(text: string): { stage: string; instruction: Instruction }[] {
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  let stage = '';
  return logical.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stage = / AS (\S+)$/i.exec(instruction.args)?.[1] ?? instruction.args;
    return { stage, instruction };
  });
}

const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const inStage = (stage: string, keyword: string): string[] =>
  instructions.filter((each) => each.stage === stage && each.instruction.keyword === keyword).map((each) => each.instruction.args);
const froms = instructions.filter((each) => each.instruction.keyword === 'FROM').map((each) => each.instruction.args);
const runtime = froms.at(-1)?.split(/\s+/i).at(-1) ?? '';

describe('Dockerfile (the admin server)', () => {
  it('has a build stage and a runtime stage, both from one exactly pinned Node LTS slim image', () => {
    expect(froms).toHaveLength(2);
    const images = froms.map((from) => from.split(/\s+/)[0]);
    for (const image of images) expect(image).toMatch(/^node:(20|22|24)\.\d+\.\d+-bookworm-slim$/);
    expect(new Set(images).size).toBe(1);
    // The version must also satisfy package.json's engines (Node 20.19 or newer).
    const [major = 0, minor = 0] = (images[0]?.slice('node:'.length).split('-')[0] ?? '').split('.').map(Number);
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
  });

  it('builds with npm ci, the KafkaJS patches and tsc', () => {
    const build = froms[0]?.split(/\s+/).at(-1) ?? '';
    const runs = inStage(build, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/patch-package/);
    expect(runs).toMatch(/tsc -p tsconfig\.build\.json/);
  });

  it('installs only production dependencies at runtime, and takes the patched KafkaJS from the build', () => {
    const runs = inStage(runtime, 'RUN').join('\n');
    expect(runs).toMatch(/npm ci --omit=dev/);
    const copies = inStage(runtime, 'COPY');
    expect(copies).toContain('--from=build /app/node_modules/kafkajs ./node_modules/kafkajs');
    expect(copies.some((copy) => copy.startsWith('--from=build /app/dist '))).toBe(true);
    // The dashboard reads its pages from the source tree at run time.
    expect(copies).toContain('consumer/admin/pages ./consumer/admin/pages');
  });

  it('runs as a user other than root', () => {
    const users = inStage(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks /healthz', () => {
    const [healthcheck = ''] = inStage(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD .*\/healthz/);
    expect(healthcheck).toMatch(/--interval=\d+s/);
  });

  it('listens on 0.0.0.0 and says that ADMIN_TOKEN is then required', () => {
    expect(inStage(runtime, 'ENV').join(' ')).toMatch(/ADMIN_HOST=0\.0\.0\.0/);
    // The server refuses a non-loopback host without a token; the file must tell whoever builds it.
    expect(dockerfile).toMatch(/ADMIN_TOKEN/);
    expect(inStage(runtime, 'ENV').join(' ')).not.toMatch(/ADMIN_TOKEN=/);
    expect(inStage(runtime, 'CMD')).toEqual(['["node", "dist/consumer/admin/cli.js"]']);
  });
});

describe('.dockerignore', () => {
  it('keeps local state and build output out of the build context', () => {
    const ignored = readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n');
    for (const path of ['node_modules', 'dist', '.kafka', '.admin', 'output', '.env', '.git']) expect(ignored).toContain(path);
  });
});
