import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useApp } from '../lib/app.mjs';
import { submitLogin } from '../lib/browser.mjs';

// Where the login page shows a failed login. Prefer role="alert".
const LOGIN_ERROR = '[role="alert"], .error, .alert-error, .login-error, #login-error';

describe('login', () => {
  const app = useApp({ name: 'login' });

  it('admin logs in through the login page and reaches the workbench', async () => {
    const page = await app.loginAs('admin');
    const workbench = page.locator('#workbench');
    await workbench.waitFor({ state: 'visible' });
    assert.ok(await workbench.isVisible(), '#workbench is visible');
    assert.equal(new URL(page.url()).pathname, '/workbench');
    await page.waitForLoadState('load');
    await page.evaluate(() => document.fonts.ready);
    const file = await app.screenshot(page, 'workbench');
    console.log(`screenshot: ${file}`);
    app.assertHealthy(page);
    await page.context().close();
  });

  it('a wrong password shows an error and stays on /login', async () => {
    const page = await app.newPage();
    await submitLogin(page, 'admin', `${app.password('admin')}-wrong`);
    const error = page.locator(LOGIN_ERROR).first();
    await error.waitFor({ state: 'visible' });
    assert.notEqual((await error.innerText()).trim(), '', 'the error message has text');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.locator('#workbench').count(), 0, 'no workbench after a failed login');
    app.assertHealthy(page);
    await page.context().close();
  });
});
