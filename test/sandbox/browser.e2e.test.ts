// The sandbox in a real browser (Debian's chromium driven by playwright-core): a new user
// runs the example runbook end to end from the page, as the README's quick start says.
// The service runs in-process in sandbox mode; nothing but the page drives it.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { startApp, type App } from '../../src/app/create-app.js';
import { silentLogger } from '../../src/logger.js';
import { connectMongo } from '../../src/models/connection.js';
import { EXAMPLE_RUNBOOK } from '../../src/sandbox/example-runbook.js';
import { testAppConfig } from '../support/app-config.js';
import { createTestDbName } from '../support/mongo.js';
import { useTestRedis } from '../support/redis.js';

const redis = useTestRedis();
const dbName = createTestDbName();
const SCREENSHOTS = fileURLToPath(new URL('../../docs/images/', import.meta.url));
let app: App;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp({
    config: testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { slackMode: 'sandbox' }),
    logger: silentLogger,
    queuePrefix: redis.prefix(),
    builtinPlaybooks: false,
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  const conn = await connectMongo(inject('mongodbUri'), dbName);
  await conn.dropDatabase();
  await conn.close();
});

/** The live run message (the one with the run's buttons, not a thread reply). */
const runMessage = () => page.getByTestId('message').filter({ has: page.getByTestId('button-run_cancel') }).first();

async function runCommand(text: string): Promise<void> {
  await page.getByTestId('composer').fill(`/runbook ${text}`);
  await page.getByTestId('send').click();
}

describe('the sandbox in a browser', () => {
  it('runs the example: inputs modal, a branch, a wait, a refused and an accepted approval, the finished run', async () => {
    await page.goto(`http://127.0.0.1:${app.port}/sandbox?user=U0ALICE`);
    await page.getByTestId('user-switcher').selectOption('U0ALICE');

    // The runbook needs a version: starting it opens the inputs modal; submitting it empty is refused in place.
    await runCommand(`start ${EXAMPLE_RUNBOOK}`);
    const modal = page.getByTestId('modal');
    await expect.poll(() => modal.isVisible(), { timeout: 10_000 }).toBe(true);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}sandbox-inputs-modal.png` });
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.locator('[data-testid^="error-"]').count()).toBeGreaterThan(0);
    await modal.locator('[data-testid^="input-"]').first().fill('1.4.2');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.isVisible()).toBe(false);

    // The run message appears without a reload; Done on the first step, then the check branches on Fail to the fix step.
    await expect.poll(() => runMessage().textContent(), { timeout: 10_000 }).toContain('Announce the deploy');
    await runMessage().getByTestId('button-run_done').click();
    await expect.poll(() => runMessage().textContent()).toContain('Check staging');
    await runMessage().getByTestId('button-run_outcome:fail').click();
    await expect.poll(() => runMessage().textContent()).toContain('Fix staging');
    await runMessage().getByTestId('button-run_done').click();
    await expect.poll(() => runMessage().textContent()).toContain('Check staging');
    await runMessage().getByTestId('button-run_outcome:pass').click();

    // The wait elapses on its own (5 s), and the run stops at the gate.
    await expect.poll(() => runMessage().textContent()).toContain('Let metrics settle');
    await expect.poll(() => runMessage().textContent(), { timeout: 20_000 }).toContain('Approve the release');

    // Alice may not approve: she alone is told why, and the gate stays.
    await runMessage().getByTestId('button-run_approve').click();
    const refusal = page.locator('.message.ephemeral').last();
    await expect.poll(() => refusal.textContent()).toMatch(/approv/i);
    await page.screenshot({ path: `${SCREENSHOTS}sandbox-run-message.png` });

    // Bob, the approver, sees the same message (not Alice's ephemeral) and approves.
    await page.getByTestId('user-switcher').selectOption('U0BOB');
    await expect.poll(() => runMessage().textContent()).toContain('Approve the release');
    expect(await page.locator('.message.ephemeral').count()).toBe(0);
    await runMessage().getByTestId('button-run_approve').click();
    await expect.poll(() => runMessage().textContent()).toContain('Deploy');

    await page.getByTestId('user-switcher').selectOption('U0ALICE');
    await runMessage().getByTestId('button-run_done').click();
    await expect.poll(() => page.getByTestId('message').filter({ hasText: 'Deploy example' }).first().textContent()).toMatch(/completed|finished|succeeded/i);
  }, 90_000);
});
