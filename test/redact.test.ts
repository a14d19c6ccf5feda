// Secrets never reach logs or messages: every URL form's credentials, and query parameters
// that carry one, are redacted, and the logger applies it to every line it writes.
import { describe, expect, it } from 'vitest';

import { createLogger } from '../src/logger.js';
import { redactDeep, redactSecrets } from '../src/redact.js';
import { createDeviceKeyPair } from '../src/runner/device-credential.js';

describe('redactSecrets', () => {
  it.each([
    ['mongodb://admin:hunter2@127.0.0.1:27017/x', 'mongodb://admin:***@127.0.0.1:27017/x'],
    ['mongodb+srv://admin:hunter2@cluster.example/x?retryWrites=true', 'mongodb+srv://admin:***@cluster.example/x?retryWrites=true'],
    ['mongodb://a:one@h1:27017,h2:27017/db?replicaSet=rs0', 'mongodb://a:***@h1:27017,h2:27017/db?replicaSet=rs0'],
    ['postgres://ferretdb:Zx_9-aB@127.0.0.1:5433/ferretdb', 'postgres://ferretdb:***@127.0.0.1:5433/ferretdb'],
    ['postgresql://u:p%40ss%2Fword@db/x?sslmode=disable', 'postgresql://u:***@db/x?sslmode=disable'],
    ['redis://:hunter2@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['rediss://default:hunter2@cache.example:6380', 'rediss://default:***@cache.example:6380'],
    ['redis://hunter2@cache:6379', 'redis://***@cache:6379'],
    ['redis://:p@ss@cache:6379', 'redis://:***@cache:6379'],
    ['redis://[::1]:6379?password=hunter2', 'redis://[::1]:6379?password=***'],
    ['https://ghp_abc123@github.com/org/repo.git', 'https://***@github.com/org/repo.git'],
    ['https://user:pw@[::1]:8443/path', 'https://user:***@[::1]:8443/path'],
    ['https://hooks.example/x?token=abc&channel=ops', 'https://hooks.example/x?token=***&channel=ops'],
    ['https://api.example/v1?api_key=k1;access_token=t2#frag', 'https://api.example/v1?api_key=***;access_token=***#frag'],
    ['https://s3.example/b/o?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff00', 'https://s3.example/b/o?X-Amz-Credential=***&X-Amz-Signature=***'],
    ['mongodb://h/db?authSource=admin&tlsCertificateKeyFilePassword=pem', 'mongodb://h/db?authSource=admin&tlsCertificateKeyFilePassword=***'],
  ])('redacts %s', (uri, redacted) => {
    expect(redactSecrets(uri)).toBe(redacted);
  });

  it.each(['mongodb://127.0.0.1:27017/', 'postgres://db.internal:5432/ferretdb', 'redis://cache:6379?name=a@b', 'https://example.com/?q=token', 'no url here', 'a=b'])(
    'leaves %s, which carries no credential, as it is',
    (text) => {
      expect(redactSecrets(text)).toBe(text);
    },
  );

  it('redacts the bot’s own API keys and device credentials, keeping which device', () => {
    const { credential } = createDeviceKeyPair('web-01.eu');
    expect(redactSecrets(`RUNNER_CREDENTIAL=${credential} and key rbk_AbCdEf0123456789xyz`)).toBe('RUNNER_CREDENTIAL=rbd1.web-01.eu.*** and key rbk_***');
  });

  it('redacts every URL in a longer text, such as a driver error', () => {
    expect(redactSecrets('FerretDB on postgres://f:one@h/d failed; Redis at redis://:two@h:6379 too')).toBe(
      'FerretDB on postgres://f:***@h/d failed; Redis at redis://:***@h:6379 too',
    );
  });

  it('redacts through objects and arrays, leaving other values alone', () => {
    const when = new Date(0);
    expect(redactDeep({ url: 'redis://:pw@h', list: ['mongodb://u:pw@h'], n: 3, when, nested: { err: new Error('at redis://:pw@h') } })).toEqual({
      url: 'redis://:***@h',
      list: ['mongodb://u:***@h'],
      n: 3,
      when,
      nested: { err: 'at redis://:***@h' },
    });
  });
});

describe('the logger', () => {
  it('writes no credential, in the message or in any field', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    logger.error('Redis is not reachable at redis://:hunter2@cache:6379', { error: new Error('auth failed for mongodb://bot:hunter2@db/x'), where: { uri: 'rediss://hunter2@h' } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('hunter2');
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'Redis is not reachable at redis://:***@cache:6379', error: 'auth failed for mongodb://bot:***@db/x', where: { uri: 'rediss://***@h' } });
  });
});
