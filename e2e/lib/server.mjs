// Start and stop a real `jianguan serve --demo` for browser tests.
//
// The binary is the debug build that `cargo test` already produced
// ($CARGO_TARGET_DIR/debug/jianguan, default <repo>/target/debug/jianguan);
// override with JIANGUAN_BIN. Each server gets its own temp data dir and a
// free port on 127.0.0.1, so test files are independent of each other.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const TARGET_DIR = process.env.CARGO_TARGET_DIR
  ? path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(REPO_ROOT, 'target');

/** Where server logs of the e2e runs are kept (printed by .ci/run on failure). */
export const LOG_DIR = process.env.JIANGUAN_E2E_LOG_DIR || path.join(TARGET_DIR, 'e2e-logs');

export function defaultBinary() {
  return process.env.JIANGUAN_BIN
    ? path.resolve(process.env.JIANGUAN_BIN)
    : path.join(TARGET_DIR, 'debug', 'jianguan');
}

/** Ask the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Demo accounts are printed one per line as `username / password`
 * (optionally indented or bulleted, optionally followed by a comment).
 */
export function parseAccounts(text) {
  const accounts = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:[-*•]\s*)?([A-Za-z0-9_.@-]+)\s+\/\s+(\S+)/.exec(line);
    if (m && !(m[1] in accounts)) accounts[m[1]] = m[2];
  }
  return accounts;
}

// Servers still running in this process; killed if the process is told to stop
// (the test runner's timeout sends SIGTERM) or exits without stopping them.
const live = new Map(); // child process -> its temp data dir
let signalsHooked = false;
function hookSignals() {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
  }
  process.on('exit', () => {
    for (const [child, dataDir] of live) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function isReady(baseUrl) {
  try {
    const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Start `jianguan serve --demo` and wait until /readyz answers 200 and the
 * demo accounts in `needAccounts` have been printed.
 *
 * Returns { baseUrl, port, dataDir, accounts, password(user), output(), stop() }.
 * stop() sends SIGTERM and resolves to { code, signal, clean }.
 */
export async function startServer({
  binary = defaultBinary(),
  extraArgs = [],
  env = {},
  needAccounts = ['admin'],
  readyTimeoutMs = Number(process.env.JIANGUAN_E2E_READY_TIMEOUT_MS || 60_000),
  name = 'server',
  attempts = 3,
} = {}) {
  if (!existsSync(binary)) {
    throw new Error(
      `jianguan binary not found at ${binary}; run \`cargo test\` (or \`cargo build\`) first, or set JIANGUAN_BIN`,
    );
  }
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await startOnce({ binary, extraArgs, env, needAccounts, readyTimeoutMs, name });
    } catch (err) {
      lastError = err;
      // Only retry when the process died early (e.g. the port was taken in the
      // short window between freePort() and bind); a hang is not retried.
      if (!err.earlyExit) break;
    }
  }
  throw lastError;
}

async function startOnce({ binary, extraArgs, env, needAccounts, readyTimeoutMs, name }) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'jianguan-e2e-'));
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = path.join(LOG_DIR, `${name}-${port}.log`);
  const log = createWriteStream(logPath);

  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--demo', ...extraArgs];
  const child = spawn(binary, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { stdout += d; log.write(d); });
  child.stderr.on('data', (d) => { stderr += d; log.write(d); });

  hookSignals();
  live.set(child, dataDir);
  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    });
    child.on('error', (err) => {
      // Could not be started at all (e.g. not executable).
      exited = { code: null, signal: null, error: String(err) };
      live.delete(child);
      resolve(exited);
    });
  });

  const cleanupDir = () => rmSync(dataDir, { recursive: true, force: true });
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  const deadline = Date.now() + readyTimeoutMs;
  let accounts = {};
  for (;;) {
    if (exited) {
      log.end();
      cleanupDir();
      const err = new Error(
        `jianguan exited before it was ready (code ${exited.code}, signal ${exited.signal}${exited.error ? `, ${exited.error}` : ''}); log: ${logPath}\n${output()}`,
      );
      err.earlyExit = true;
      throw err;
    }
    accounts = parseAccounts(stdout);
    if (needAccounts.every((u) => u in accounts) && (await isReady(baseUrl))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exitPromise;
      log.end();
      cleanupDir();
      const missing = needAccounts.filter((u) => !(u in accounts));
      throw new Error(
        `jianguan not ready within ${readyTimeoutMs} ms at ${baseUrl}` +
          (missing.length ? ` (demo accounts not printed: ${missing.join(', ')})` : ' (/readyz never returned 200)') +
          `; log: ${logPath}\n${output()}`,
      );
    }
    await sleep(200);
  }

  async function stop({ timeoutMs = 15_000 } = {}) {
    if (!exited) {
      child.kill('SIGTERM');
      let timer;
      const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
      const res = await Promise.race([exitPromise, timeout]);
      clearTimeout(timer);
      if (!res) {
        child.kill('SIGKILL');
        await exitPromise;
        exited.timedOut = true;
      }
    }
    log.end();
    cleanupDir();
    return { ...exited, clean: exited.code === 0 && !exited.timedOut, logPath };
  }

  return {
    baseUrl,
    port,
    dataDir,
    logPath,
    /** All demo accounts printed so far, { username: password }. */
    get accounts() {
      return parseAccounts(stdout);
    },
    password(user) {
      const accounts = parseAccounts(stdout);
      if (!(user in accounts)) {
        throw new Error(`no demo password printed for "${user}"; printed accounts: ${Object.keys(accounts).join(', ')}`);
      }
      return accounts[user];
    },
    output,
    stop,
  };
}
