// A process that opens the embedded database on the folder given as its argument, writes
// one document, prints `ready <FerretDB URI>` and then holds it until killed: the owner a
// test kills with SIGKILL.
import { findSharedServer } from '../../../src/embedded/shared-server.js';
import { openDatabase } from '../../../src/models/open-database.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: hold-database.ts DATA_DIR');
const db = await openDatabase({}, { dataDir });
await db.conn.collection('held').insertOne({ _id: 'before-kill' } as never);
const shared = await findSharedServer(dataDir);
process.stdout.write(`ready ${shared?.uri}\n`);
setInterval(() => undefined, 60_000);
