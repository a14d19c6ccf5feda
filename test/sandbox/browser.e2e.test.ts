// The sandbox in a real browser (Debian's chromium driven by playwright-core): a new user
// runs the example runbook end to end from the page, as the README's quick start says.
// The service runs in-process in sandbox mode; nothing but the page drives it.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
// SANDBOX_SCREENSHOTS=1 refreshes the README's pictures; otherwise they go to a temporary folder.
const SCREENSHOTS = process.env.SANDBOX_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : `${mkdtempSync(join(tmpdir(), 'sandbox-shots-'))}/`;
let app: App;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  app = await startApp({
    config: testAppConfig({ mongodbUri: inject('mongodbUri'), dbName }, redis.url, { slackMode: 'sandbox' }),
    logger: silentLogger,
    queuePrefix: redis.prefix(),
    // The built-in playbooks, as npm start has them: the sample alert is for Service Restart.
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
    // The guide's welcome says what to try, the example runbook among the published ones.
    await expect.poll(() => page.getByTestId('message').first().textContent(), { timeout: 10_000 }).toContain(`/runbook start ${EXAMPLE_RUNBOOK}`);

    // The runbook needs a version: starting it opens the inputs modal. Blanks pass the page's
    // own check but not the bot's, whose refusal shows under the field; the modal stays open.
    await runCommand(`start ${EXAMPLE_RUNBOOK}`);
    const modal = page.getByTestId('modal');
    await expect.poll(() => modal.isVisible(), { timeout: 10_000 }).toBe(true);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}sandbox-inputs-modal.png` });
    const version = modal.locator('[data-testid^="input-"]').first();
    await version.fill('   ');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.locator('[data-testid^="error-"]').first().textContent()).toBe('version is required');
    await version.fill('1.4.2');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.isVisible()).toBe(false);

    // The run message appears without a reload; Done on the first step, then the check branches on Fail to the fix step.
    await expect.poll(() => runMessage().textContent(), { timeout: 10_000 }).toContain('Announce the deploy');
    const run = page.locator(`[data-testid="message"][data-ts="${await runMessage().getAttribute('data-ts')}"]`);
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
    await expect.poll(() => run.textContent()).toMatch(/completed|finished|succeeded/i);
  }, 90_000);

  it('posts a sample alert; its card runs Service Restart on the demo device, which finds web crashed and brings it back', async () => {
    await page.getByTestId('post-alert').click();
    const alert = page.getByTestId('message').filter({ hasText: '[FIRING:1] ServiceDown' });
    await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(1);
    // The card is posted in the alert's thread.
    await expect.poll(() => alert.getByTestId('replies').count(), { timeout: 10_000 }).toBe(1);
    await alert.getByTestId('replies').click();
    const thread = page.getByTestId('thread');
    await expect.poll(() => thread.textContent(), { timeout: 10_000 }).toContain('Service Restart');

    // The card's Run asks for the device and the service, which a Slack alert names only as values.
    await thread.getByTestId('button-alert_run').click();
    const modal = page.getByTestId('modal');
    await expect.poll(() => modal.isVisible(), { timeout: 10_000 }).toBe(true);
    await modal.getByTestId('input-var:deviceId').fill('demo-01');
    await modal.getByTestId('input-var:serviceName').fill('web');
    await page.getByTestId('modal-submit').click();
    await expect.poll(() => modal.isVisible()).toBe(false);

    // The run's message joins the thread; the demo runner's tools do the steps, the 10 s wait elapses.
    const runInThread = thread.getByTestId('message').filter({ hasText: 'Service Restart' }).filter({ has: page.getByTestId('button-run_cancel') });
    await expect.poll(() => runInThread.count(), { timeout: 10_000 }).toBe(1);
    const finished = thread.getByTestId('message').filter({ hasText: 'Verify service health' }).filter({ hasText: /completed/i });
    await expect.poll(() => finished.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    // The step replies say what the runner found: failed before the restart, running after.
    await expect.poll(() => thread.textContent()).toMatch(/service_status\W+failed/);
    await expect.poll(() => thread.textContent()).toMatch(/service_status\W+running/);
  }, 60_000);

  it('shows the App Home when the Home tab is opened', async () => {
    await page.getByTestId('nav-home').click();
    await expect.poll(() => page.getByTestId('home').textContent(), { timeout: 10_000 }).toMatch(/runbook/i);
  }, 30_000);
});
