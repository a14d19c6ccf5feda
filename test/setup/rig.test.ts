// The integration rig itself: the server behind inject('mongodbUri') behaves like MongoDB
// where our persistence relies on it, and Redis prefixes keep test files apart.
import { Queue } from 'bullmq';
import { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';

import { createRedis } from '../../src/jobs/redis.js';
import { useTestDatabase } from '../support/mongo.js';
import { createTestPrefix, deleteKeysUnder, useTestRedis } from '../support/redis.js';

const db = useTestDatabase();
const rig = useTestRedis();

describe('test database', () => {
  it('is a fresh database with a FerretDB-safe name', () => {
    expect(db.conn().name).toMatch(/^t_[0-9a-f]{12}$/);
  });

  it('finds a document by a dotted path into a subdocument', async () => {
    const Item = db.conn().model('RigItem', new Schema({ name: String, meta: { owner: { team: String } } }));
    await Item.create([
      { name: 'a', meta: { owner: { team: 'sre' } } },
      { name: 'b', meta: { owner: { team: 'web' } } },
    ]);

    const found = await Item.find({ 'meta.owner.team': 'sre' }).lean();

    expect(found.map((d) => d.name)).toEqual(['a']);
  });

  it('rejects a duplicate on a unique index with code 11000', async () => {
    const Slug = db.conn().model('RigSlug', new Schema({ slug: { type: String, unique: true } }));
    await Slug.init(); // wait for autoIndex to build the unique index
    await Slug.create({ slug: 'deploy' });

    const err = await Slug.create({ slug: 'deploy' }).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 11000 });
    expect(await Slug.countDocuments()).toBe(1);
  });

  it('applies a write conditional on a revision once, then matches nothing', async () => {
    const Doc = db.conn().model('RigRev', new Schema({ rev: Number, status: String }));
    const { _id } = await Doc.create({ rev: 1, status: 'pending' });
    const write = () => Doc.updateOne({ _id, rev: 1 }, { $set: { status: 'running' }, $inc: { rev: 1 } });

    const first = await write();
    const second = await write();

    expect([first.matchedCount, first.modifiedCount]).toEqual([1, 1]);
    expect([second.matchedCount, second.modifiedCount]).toEqual([0, 0]);
    expect(await Doc.findById(_id).lean()).toMatchObject({ rev: 2, status: 'running' });
  });
});

describe('test redis', () => {
  it('gives this file a prefix without ":"', () => {
    expect(rig.prefix()).toMatch(/^t-[0-9a-f]{12}$/);
  });

  it('keeps queues of the same name apart under different prefixes', async () => {
    const other = createTestPrefix();
    const mine = new Queue('rig', { connection: rig.redis(), prefix: rig.prefix() });
    const theirs = new Queue('rig', { connection: rig.redis(), prefix: other });
    try {
      await mine.add('ping', { n: 1 }, { jobId: 'ping-1' });

      expect(await mine.getJobCounts('waiting')).toEqual({ waiting: 1 });
      expect(await theirs.getJobCounts('waiting')).toEqual({ waiting: 0 });
      expect(await rig.redis().exists(`${rig.prefix()}:rig:ping-1`)).toBe(1);
    } finally {
      await mine.close();
      await theirs.close();
      await deleteKeysUnder(rig.redis(), other);
    }
  });

  it('deletes every key under one prefix and none under another', async () => {
    const redis = createRedis(rig.url);
    const [a, b] = [createTestPrefix(), createTestPrefix()];
    try {
      // More keys than one SCAN batch, so the cursor loop is exercised.
      const pipeline = redis.pipeline();
      for (let i = 0; i < 1200; i++) pipeline.set(`${a}:k${i}`, '1');
      pipeline.set(`${b}:k0`, '1');
      pipeline.set(a, 'bare prefix, not under it');
      await pipeline.exec();

      expect(await deleteKeysUnder(redis, a)).toBe(1200);
      expect(await redis.exists(`${a}:k0`, `${a}:k1199`)).toBe(0);
      expect(await redis.exists(`${b}:k0`, a)).toBe(2);
    } finally {
      await redis.del(a);
      await deleteKeysUnder(redis, b);
      await redis.quit();
    }
  });
});
