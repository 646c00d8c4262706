import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../../consumer/admin/openapi.js';

type Operation = { parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[] };
const document = openApiDocument() as { paths: Record<string, Record<string, Operation> | undefined> };
const queryOf = (path: string, method: string) => (document.paths[path]?.[method]?.parameters ?? []).filter((parameter) => parameter.in === 'query');

describe('openApiDocument', () => {
  it('lists the query parameters each route validates, from the same schema', () => {
    for (const path of ['/api/monitor/consumer-group-offsets', '/api/monitor/consumer-group-lag']) {
      expect(queryOf(path, 'get').map(({ name, required }) => ({ name, required }))).toEqual([
        { name: 'group_id', required: true },
        { name: 'topic', required: false },
      ]);
    }
    const start = queryOf('/start-consumer', 'post');
    expect(start.map(({ name, required }) => [name, required])).toEqual([
      ['broker', false],
      ['topic', true],
      ['file_path', true],
      ['group_id', true],
      ['client_id', false],
    ]);
    // The constraints come along: what the docs say is what the server checks.
    expect(start.find((parameter) => parameter.name === 'topic')?.schema).toMatchObject({ type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' });
    expect(start.find((parameter) => parameter.name === 'file_path')?.schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 500 });
  });

  it('documents the cluster views with the query and body their routes validate', () => {
    expect(queryOf('/api/topics/{name}/records', 'get').map(({ name }) => name)).toEqual(['partition', 'offset', 'timestamp', 'limit']);
    const reset = document.paths['/api/groups/{group}/reset-offsets']?.post as { requestBody?: unknown; responses?: Record<string, unknown> } | undefined;
    expect(reset?.requestBody).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/OffsetReset' } } } });
    expect(Object.keys(reset?.responses ?? {})).toContain('409');
    for (const path of ['/api/topics', '/api/topics/{name}', '/api/topics/{name}/live', '/api/groups']) {
      expect(document.paths[path]?.get, path).toMatchObject({ tags: ['cluster'], responses: { 200: expect.anything() } });
    }
  });
});
