import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { AppModule } from '../src/app.module.js';
import { setupDocs } from '../src/docs/index.js';
import { setupHttpSecurity } from '../src/http-security/index.js';
import { startApp, type RunningApp } from './support/app.js';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_INSTALL, ensureChromium } from './support/chromium.js';
import { freePort } from './support/http.js';

const executablePath = ensureChromium();
if (executablePath === undefined) {
  process.stderr.write(
    `\n*** SKIPPED the Swagger UI browser test: ${CHROMIUM} is missing and could not be installed. Install it with: ${CHROMIUM_INSTALL} ***\n\n`,
  );
}
const describeWithChromium = executablePath === undefined ? describe.skip : describe;

/** Where the test leaves its screenshots, for a human to look at. */
export const SCREENSHOTS = join(tmpdir(), 'docs-browser-test');

describeWithChromium('Swagger UI at /docs, in Debian’s Chromium', () => {
  let running: RunningApp;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  /** Requests the browser tried to send off this machine (there must be none). */
  const offLoopback: string[] = [];
  /** Console errors, such as Content-Security-Policy violations (there must be none). */
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    for (const name of Object.keys(process.env))
      if (/^AUTH0?_/.test(name)) delete process.env[name];
    const port = await freePort();
    process.env['PORT'] = String(port);
    process.env['DATA_DIR'] = mkdtempSync(join(tmpdir(), 'docs-browser-data-'));
    running = await startApp(
      AppModule.forRoot(),
      'fastify',
      port,
      async (app: INestApplication) => {
        setupHttpSecurity(app as NestFastifyApplication, { corsOrigins: [] });
        setupDocs(app, { docsEnabled: true });
      },
    );
    userDataDir = mkdtempSync(join(tmpdir(), 'docs-browser-profile-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    context.setDefaultTimeout(15_000);
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      if (hostname === '127.0.0.1') return route.continue();
      offLoopback.push(route.request().url());
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await running?.app.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function devToken(scope: string): Promise<string> {
    const response = await fetch(new URL('dev/oauth/token', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scope }),
      signal: AbortSignal.timeout(10_000),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** Opens the Authorize dialog, runs `inside` on it, and closes it. */
  async function inAuthorizeDialog(inside: (dialog: ReturnType<Page['locator']>) => Promise<void>) {
    await page.locator('.auth-wrapper button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    await dialog.waitFor();
    await inside(dialog);
    await dialog.locator('button.btn-done').click();
    await dialog.waitFor({ state: 'detached' });
  }

  /** Clicks Execute on GET /api/private-scoped and returns the status and body Swagger UI shows. */
  async function execute(previousStatus?: string): Promise<{ status: string; body: string }> {
    const operation = page.locator('#operations-messages-MessagesController_privateScoped');
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status');
    // The status cell is reused between executions: wait until it shows a new answer.
    await (
      previousStatus === undefined ? status : status.filter({ hasNotText: previousStatus })
    ).waitFor();
    return {
      status: (await status.innerText()).trim().slice(0, 3),
      body: await operation
        .locator('.live-responses-table .response-col_description pre')
        .first()
        .innerText(),
    };
  }

  it('authorizes with a development token, executes /api/private-scoped for a 200, and without the token gets the 401', async () => {
    await page.goto(new URL('docs', running.url).href);
    await page.locator('.swagger-ui .info .title').waitFor();
    const token = await devToken('read:messages');

    await inAuthorizeDialog(async (dialog) => {
      await dialog.locator('input').first().fill(token);
      await dialog.locator('button.authorize').click();
      await dialog.locator('text=Logout').waitFor();
    });
    const operation = page.locator('#operations-messages-MessagesController_privateScoped');
    await operation.locator('.opblock-summary').first().click();

    const ok = await execute();
    expect(ok.status).toBe('200');
    expect(ok.body).toContain('have a scope of read:messages');
    await page.screenshot({ path: join(SCREENSHOTS, 'private-scoped-200.png'), fullPage: true });

    await inAuthorizeDialog(async (dialog) => {
      await dialog.locator('button', { hasText: 'Logout' }).click();
    });
    const refused = await execute(ok.status);
    expect(refused.status).toBe('401');
    expect(JSON.parse(refused.body)).toEqual({
      statusCode: 401,
      error: 'unauthorized',
      error_description: 'no access token: send an Authorization: Bearer <token> header',
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'private-scoped-401.png'), fullPage: true });

    expect(offLoopback).toEqual([]);
    expect(consoleErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
  }, 60_000);
});
