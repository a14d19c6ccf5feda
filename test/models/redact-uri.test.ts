import { describe, expect, it } from 'vitest';

import { redactUri } from '../../src/models/connection.js';

describe('redactUri', () => {
  it.each([
    ['mongodb://admin:hunter2@127.0.0.1:27017/x', 'mongodb://admin:***@127.0.0.1:27017/x'],
    ['mongodb+srv://admin:hunter2@cluster.example/x?retryWrites=true', 'mongodb+srv://admin:***@cluster.example/x?retryWrites=true'],
    ['postgres://ferretdb:Zx_9-aB@127.0.0.1:5433/ferretdb', 'postgres://ferretdb:***@127.0.0.1:5433/ferretdb'],
    ['postgresql://u:p%40ss%2Fword@db/x?sslmode=disable', 'postgresql://u:***@db/x?sslmode=disable'],
    ['redis://:hunter2@cache:6379/0', 'redis://:***@cache:6379/0'],
  ])('hides the password in %s', (uri, redacted) => {
    expect(redactUri(uri)).toBe(redacted);
  });

  it.each(['mongodb://127.0.0.1:27017/', 'mongodb://user@host/db', 'postgres://db.internal:5432/ferretdb', 'redis://cache:6379?name=a@b'])(
    'leaves %s, which has no password, as it is',
    (uri) => {
      expect(redactUri(uri)).toBe(uri);
    },
  );

  it('hides every URL password in a longer text, such as a log line', () => {
    expect(redactUri('FerretDB on postgres://f:one@h/d failed; MongoDB at mongodb://m:two@h/ too')).toBe(
      'FerretDB on postgres://f:***@h/d failed; MongoDB at mongodb://m:***@h/ too',
    );
  });
});
