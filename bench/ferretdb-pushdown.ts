// Why reads and conditional updates by `_id` grew with the collection on FerretDB's
// PostgreSQL backend, and what the project's patch changes: the same driver operations
// against FerretDB 1.24.2 as upstream ships it and as tools/ferretdb/build.sh patches it,
// both on the embedded PostgreSQL, at growing collection sizes. Upstream pushes `{_id: x}`
// down as `_jsonb->'_id' @> $1`, which no btree index serves (a sequential scan); the patch
// pushes it down as `_jsonb->'_id' = $1`, which the unique `_id` index serves. Extra
// conjuncts (`rev`) stay `@>` and filter the one row the index found.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import mongoose from 'mongoose';

import { ensureFerretdbBinary, startEmbeddedMongo } from '../src/embedded/ferretdb.js';
import { loadAverage, percentile, table } from './support.js';

const SIZES = (process.env.BENCH_PUSHDOWN_SIZES ?? '100,10000,50000').split(',').map(Number);
const SAMPLES = 60;
const PAD = 'x'.repeat(2000);

/** FerretDB built from tools/ferretdb without the patch, next to the patched one. */
async function upstreamBinary(): Promise<string> {
  const patched = await ensureFerretdbBinary();
  const bin = `${patched}-upstream`;
  if (existsSync(bin)) return bin;
  const root = join(patched, '..', '..');
  const goBin = '/usr/local/go/bin';
  await promisify(execFile)('go', ['build', '-o', bin, '.'], {
    cwd: join(root, 'tools', 'ferretdb'),
    env: { ...process.env, CGO_ENABLED: '0', PATH: `${goBin}:${process.env.PATH ?? ''}` },
    maxBuffer: 16 * 1024 * 1024,
  });
  return bin;
}

const pair = (sorted: number[]) => `${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)}`;

async function measure(uri: string): Promise<string[][]> {
  const client = await mongoose.mongo.MongoClient.connect(uri);
  const docs = client.db('pushdown').collection<{ _id: string; rev: number; status: string; pad: string }>('docs');
  const rows: string[][] = [];
  let n = 0;
  try {
    for (const size of SIZES) {
      while (n < size) {
        const batch = Array.from({ length: Math.min(1000, size - n) }, () => ({ _id: `run_${n++}`, rev: 1, status: 'running', pad: PAD }));
        await docs.insertMany(batch);
      }
      const times = { byId: [] as number[], byIdRev: [] as number[], find: [] as number[], insert: [] as number[] };
      for (let i = 0; i < SAMPLES; i += 1) {
        const id = `run_${Math.floor(Math.random() * size)}`;
        let t = performance.now();
        await docs.updateOne({ _id: id }, { $set: { status: `s${i}` } });
        times.byId.push(performance.now() - t);
        const doc = await docs.findOne({ _id: id });
        t = performance.now();
        const r = await docs.updateOne({ _id: id, rev: doc!.rev }, { $set: { rev: doc!.rev + 1 } });
        times.byIdRev.push(performance.now() - t);
        if (r.matchedCount !== 1) throw new Error(`{_id, rev} matched ${r.matchedCount}`);
        t = performance.now();
        await docs.findOne({ _id: id });
        times.find.push(performance.now() - t);
        t = performance.now();
        await docs.insertOne({ _id: `ins_${size}_${i}`, rev: 1, status: 'new', pad: PAD });
        times.insert.push(performance.now() - t);
      }
      const s = (a: number[]) => pair(a.sort((x, y) => x - y));
      rows.push([size.toLocaleString('en-US'), s(times.byId), s(times.byIdRev), s(times.find), s(times.insert)]);
    }
  } finally {
    await client.db('pushdown').dropDatabase();
    await client.close();
  }
  return rows;
}

export async function benchPushdown(): Promise<string> {
  const parts = [`FerretDB 1.24.2 on the embedded PostgreSQL 17, upstream vs patched; 2 KB documents; ${SAMPLES} samples per size, one at a time; ms, p50 / p99`];
  const builds: [string, string | undefined][] = [['upstream', await upstreamBinary()], ['patched (the project\u2019s build)', undefined]];
  for (const [label, bin] of builds) {
    const dir = await mkdtemp(join(tmpdir(), 'rb-pushdown-'));
    const server = await startEmbeddedMongo({ dataDir: dir, ...(bin ? { binary: bin } : {}) });
    try {
      parts.push(`${label}; load average ${loadAverage()}`, table(['documents', 'updateOne({_id})', 'updateOne({_id, rev})', 'findOne({_id})', 'insertOne'], await measure(server.uri)));
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  return parts.join('\n\n');
}
