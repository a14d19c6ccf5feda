// `npm run bench`: prints each benchmark's table. Figures are recorded in docs/benchmarks.md.
import { cpus, totalmem } from 'node:os';
import { benchHistory } from './advance-history.js';
import { benchAdvances } from './advance-throughput.js';
import { benchAlerts } from './alerts.js';
import { benchPushdown } from './ferretdb-pushdown.js';
import { benchMemory } from './memory.js';
import { benchApi } from './api-throughput.js';
import { benchSlackLatency } from './slack-latency.js';
import { benchToolRoundTrip } from './tool-roundtrip.js';
import { benchWaits } from './wait-lateness.js';

const which = process.argv.slice(2);
const all = which.length === 0;
console.log(`node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`);
if (all || which.includes('advances')) console.log(`${await benchAdvances()}\n`);
if (all || which.includes('history')) console.log(`${await benchHistory()}\n`);
if (all || which.includes('waits')) console.log(`${await benchWaits()}\n`);
if (all || which.includes('slack')) console.log(`${await benchSlackLatency()}\n`);
if (all || which.includes('tools')) console.log(`${await benchToolRoundTrip()}\n`);
if (all || which.includes('alerts')) console.log(`${await benchAlerts()}\n`);
if (all || which.includes('api')) console.log(`${await benchApi()}\n`);
if (all || which.includes('pushdown')) console.log(`${await benchPushdown()}\n`);
if (all || which.includes('memory')) console.log(`${await benchMemory()}\n`);
if (all || which.includes('scale')) console.log(`${await (await import('./scale.js')).benchScale()}\n`);
process.exit(0);
