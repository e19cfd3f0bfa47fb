// Headless Debian Chromium driven by playwright-core. Playwright never
// downloads a browser here: we always pass executablePath.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './server.mjs';

export const CHROMIUM = process.env.JIANGUAN_E2E_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');

/** Default timeout (ms) of every Playwright action and wait. */
export const ACTION_TIMEOUT_MS = Number(process.env.JIANGUAN_E2E_ACTION_TIMEOUT_MS || 15_000);

// --headless is added by Playwright (headless: true); so is a fresh, empty
// --user-data-dir (a new temp profile per launch, removed on close).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

const isLocal = (url) => {
  if (!/^(https?|wss?):/.test(url)) return true; // data:, blob:, about:
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

/**
 * A fresh browser context (own cookies and storage) with one page.
 * The page gets extra fields:
 *   page.pageErrors        uncaught JS exceptions on the page
 *   page.externalRequests  requests to anything but this machine (aborted:
 *                          the app must work without internet access)
 */
export async function newPage(browser, { baseUrl, viewport = { width: 1440, height: 900 } } = {}) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS * 2);
  const page = await context.newPage();
  page.pageErrors = [];
  page.externalRequests = [];
  page.on('pageerror', (err) => page.pageErrors.push(String(err)));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    page.externalRequests.push(url);
    return route.abort();
  });
  return page;
}

/** Full-page screenshot to docs/screenshots/NAME.png; returns the path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Wait until the page's path is exactly `pathname`. */
export async function waitForPath(page, pathname, timeout = ACTION_TIMEOUT_MS) {
  await page.waitForURL((url) => url.pathname === pathname, { timeout });
}

/** Fill the real login form at /login and submit it (does not wait for the result). */
export async function submitLogin(page, username, password) {
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form [type="submit"]').first().click();
}
