// A service of the sandbox's demo device, started and stopped by the demo runner through its
// manage_services tool. Plain JavaScript so it starts as fast as a real daemon would.
//
//   demo-service.mjs NAME                       runs until SIGTERM, logging a heartbeat
//   demo-service.mjs NAME --fail MESSAGE        a broken release: logs MESSAGE and exits 1
//   demo-service.mjs NAME --hold-mb N --marker FILE
//                                               the first start holds N MiB (a leak that a
//                                               restart clears); FILE, written once the memory
//                                               is resident, records that it happened
import { existsSync, writeFileSync } from 'node:fs';

const [name = 'service', ...rest] = process.argv.slice(2);
const option = (flag) => {
  const at = rest.indexOf(flag);
  return at >= 0 ? rest[at + 1] : undefined;
};
const log = (message) => process.stdout.write(`${new Date().toISOString()} ${name}: ${message}\n`);

const failure = option('--fail');
if (failure !== undefined) {
  log(failure);
  process.exitCode = 1;
} else {
  const holdMb = Number(option('--hold-mb') ?? 0);
  const marker = option('--marker');
  let held = null;
  if (holdMb > 0 && marker !== undefined && !existsSync(marker)) {
    // Filled, not just reserved, so the pages count in the process's resident memory.
    held = Buffer.alloc(holdMb * 1024 * 1024, 1);
    writeFileSync(marker, `${process.pid}\n`);
    log(`holding ${holdMb} MiB`);
  }
  log(`started (pid ${process.pid})`);
  const beat = setInterval(() => log(held ? `serving, ${held.length >> 20} MiB held` : 'serving'), 60_000);
  const stop = (signal) => {
    clearInterval(beat);
    log(`stopping on ${signal}`);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
