// Test fixture for a journey file: one demo server + one browser per
// `describe` block, a fresh browser context per page.
//
//   import { describe, it } from 'node:test';
//   import { useApp } from '../lib/app.mjs';
//
//   describe('complaints', () => {
//     const app = useApp();
//     it('a clerk registers a complaint', async () => {
//       const page = await app.loginAs('admin');   // lands on /workbench
//       await page.getByRole('link', { name: '投诉' }).click();
//       ...
//       await app.screenshot(page, 'complaints-list');
//     });
//   });

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launchBrowser, newPage, screenshot, submitLogin, waitForPath } from './browser.mjs';

export function useApp({ needAccounts = ['admin'], serverOptions = {}, name = 'e2e' } = {}) {
  const app = {
    server: null,
    browser: null,
    get baseUrl() {
      return app.server.baseUrl;
    },
    /** Password printed for a demo account. */
    password: (user) => app.server.password(user),
    /** A new page in its own context (no cookies shared with other pages). */
    newPage: () => newPage(app.browser, { baseUrl: app.server.baseUrl }),
    /** New page, logged in through the real login form, waiting on /workbench. */
    async loginAs(user, password = app.password(user)) {
      const page = await app.newPage();
      await submitLogin(page, user, password);
      await waitForPath(page, '/workbench');
      return page;
    },
    screenshot,
    /** Assert the page raised no JS errors and asked for nothing off this machine. */
    assertHealthy(page) {
      assert.deepEqual(page.pageErrors, [], 'uncaught JavaScript errors on the page');
      assert.deepEqual(page.externalRequests, [], 'the page requested resources off this machine');
    },
  };

  before(async () => {
    app.server = await startServer({ needAccounts, name, ...serverOptions });
    app.browser = await launchBrowser();
  });

  after(async () => {
    await app.browser?.close();
    if (app.server) {
      const res = await app.server.stop();
      assert.ok(
        res.clean,
        `jianguan did not exit cleanly on SIGTERM (code ${res.code}, signal ${res.signal}` +
          `${res.timedOut ? ', timed out' : ''}); log: ${res.logPath}`,
      );
    }
  });

  return app;
}
