// The service started in-process for API tests: a fresh database and queue prefix per file,
// API keys made through the real store, and a client whose every answer is checked against
// the OpenAPI document the service itself serves.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, inject } from 'vitest';

import { startApp, type App } from '../../../src/app/create-app.js';
import type { Config } from '../../../src/config/env.js';
import { silentLogger } from '../../../src/logger.js';
import type { ApiScope } from '../../../src/models/api-key-names.js';
import type { BuiltinSyncOptions } from '../../../src/models/builtin-playbooks.js';
import { createApiKeyStore } from '../../../src/models/api-key-store.js';
import { connectMongo } from '../../../src/models/connection.js';
import { testAppConfig } from '../../support/app-config.js';
import { createTestDbName } from '../../support/mongo.js';
import { useTestRedis } from '../../support/redis.js';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, loosely typed: tests read into it freely and the OpenAPI check holds its shape. */
  body: any;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is instead of JSON.stringify(body). */
  raw?: string;
  headers?: Record<string, string>;
}

const DOC_ID = 'https://runbook-bot.test/openapi.json';
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export interface ApiRig {
  app(): App;
  url(path: string): string;
  key(name: string, scopes?: ApiScope[]): Promise<string>;
  revoke(name: string): Promise<void>;
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiAnswer>;
  /** Every answer received that the document does not describe (should stay empty). */
  mismatches: string[];
  /** The environment another process (a device runner) needs to share this service's database and queues. */
  env(): { MONGODB_URI: string; REDIS_URL: string; QUEUE_PREFIX: string };
}

export interface ApiRigOptions {
  /** The built-in playbooks are left out unless a test asks for them. */
  builtinPlaybooks?: BuiltinSyncOptions | false;
}

export function useApi(overrides: Partial<Config> = {}, opts: ApiRigOptions = {}): ApiRig {
  const redis = useTestRedis();
  const dbName = createTestDbName();
  let app: App | undefined;
  const mismatches: string[] = [];
  let validateAnswer: ((method: string, template: string, status: number, body: unknown) => void) | undefined;
  let templates: { pattern: RegExp; template: string }[] = [];

  beforeAll(async () => {
    const config = testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { apiKeyCacheMs: 0, ...overrides });
    app = await startApp({ config, logger: silentLogger, queuePrefix: redis.prefix(), builtinPlaybooks: opts.builtinPlaybooks ?? false });
    const doc = (await (await fetch(`http://127.0.0.1:${app.port}/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ ...doc, $id: DOC_ID });
    templates = Object.keys(doc.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[a-z_]+\}/g, '[^/]+')}$`),
    }));
    validateAnswer = (method, template, status, body) => {
      const ref = `${DOC_ID}#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status))}`;
      // A method the path does not have is answered 405, which no operation can describe.
      if (!ajv.getSchema(`${DOC_ID}#/${pointer('paths', template, method.toLowerCase())}`)) {
        if (status !== 405) mismatches.push(`${method} ${template} → ${status}: no such operation, expected 405`);
        return;
      }
      const described = ajv.getSchema(`${DOC_ID}#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status))}`);
      if (!described) {
        mismatches.push(`${method} ${template} → ${status}: status not in the document`);
        return;
      }
      if (status === 204) return;
      const validate = ajv.getSchema(`${ref}/content/application~1json/schema`);
      if (!validate) {
        mismatches.push(`${method} ${template} → ${status}: no body schema`);
        return;
      }
      if (!validate(body)) mismatches.push(`${method} ${template} → ${status}: ${ajv.errorsText(validate.errors)}`);
    };
  });

  afterAll(async () => {
    await app?.stop();
    const conn = await connectMongo(inject('mongodbUri'), dbName);
    await conn.dropDatabase();
    await conn.close();
  });

  const the = () => {
    if (!app) throw new Error('the API rig is only ready inside tests');
    return app;
  };

  return {
    app: the,
    mismatches,
    env: () => ({ MONGODB_URI: `${inject('mongodbUri').replace(/\/$/, '')}/${dbName}`, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix() }),
    url: (path) => `http://127.0.0.1:${the().port}${path}`,
    async key(name, scopes = ['read', 'run', 'author']) {
      return (await createApiKeyStore(the().db.conn).create(name, scopes, { kind: 'cli', id: 'tester' })).key;
    },
    async revoke(name) {
      await createApiKeyStore(the().db.conn).revoke(name, { kind: 'cli', id: 'tester' });
    },
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      const text = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      if (text !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
      const res = await fetch(`http://127.0.0.1:${the().port}${path}`, { method, headers, ...(text === undefined ? {} : { body: text }) });
      const raw = await res.text();
      const body = raw === '' ? null : JSON.parse(raw);
      const bare = path.split('?')[0] ?? path;
      // The most literal template wins, as in the server (`/runs` before `/{id}`).
      const template = templates
        .filter((t) => t.pattern.test(bare))
        .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0]?.template;
      if (template) validateAnswer?.(method, template, res.status, body);
      return { status: res.status, headers: res.headers, body };
    },
  };
}
