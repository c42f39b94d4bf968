import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmtp } from './mail/smtp';

// The real release server, on a port of its own, with demo data in a fresh SQLite file.
const port = process.env.SWITCHBOARD_E2E_PORT ?? '3107';
// Made once by the main process; the workers inherit it, so a test can run the server
// binary's own commands (`server admin ...`) on the same database.
const dataDir = (process.env.SWITCHBOARD_E2E_DATA_DIR ??= mkdtempSync(
  join(tmpdir(), 'switchboard-e2e-'),
));

// A real IMAP server (Dovecot) whose INBOX the server reads for the Support queue. Started
// once, by the main process (workers inherit the variables and skip this).
// Replies go to a real SMTP server (aiosmtpd) that keeps what it receives in a folder.
if (!process.env.SWITCHBOARD_E2E_IMAP_DIR) {
  const imapDir = mkdtempSync(join(tmpdir(), 'switchboard-e2e-imap-'));
  process.env.SWITCHBOARD_E2E_IMAP_PORT ??= '3143';
  process.env.SWITCHBOARD_E2E_SMTP_PORT ??= '3025';
  execFileSync('./mail/start-dovecot.sh', [
    process.env.SWITCHBOARD_E2E_IMAP_PORT,
    imapDir,
    process.env.SWITCHBOARD_E2E_SMTP_PORT,
  ]);
  process.env.SWITCHBOARD_E2E_IMAP_DIR = imapDir;
  process.env.SWITCHBOARD_E2E_SMTP_DIR = imapDir;
  startSmtp();
}
const imapDir = process.env.SWITCHBOARD_E2E_IMAP_DIR;
// The release server binary: in CARGO_TARGET_DIR when the build put it there (.ci/test keeps
// its build cache outside the clone). Tests that run `server admin ...` read the same variable.
const serverBin = (process.env.SWITCHBOARD_SERVER_BIN ??= join(
  process.env.CARGO_TARGET_DIR ?? '../target',
  'release',
  'server',
));

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 7_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  globalTeardown: './mail/stop-dovecot.ts',
  webServer: {
    command: serverBin,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      SWITCHBOARD_ADDR: `127.0.0.1:${port}`,
      SWITCHBOARD_DATA_DIR: dataDir,
      DATABASE_URL: `sqlite://${join(dataDir, 'e2e.db')}`,
      SWITCHBOARD_DEMO: 'true',
      SWITCHBOARD_LOG: 'warn',
      LEPTOS_SITE_ROOT: '../target/site',
      SWITCHBOARD_MAILBOXES: join(imapDir, 'mailboxes.json'),
      SWITCHBOARD_EMAIL_STICKY_SECS: '60',
      // Short, so the browser tests see the autosave and the outbox retry without waiting.
      SWITCHBOARD_DRAFT_AUTOSAVE_SECS: '3',
      SWITCHBOARD_SMTP_RETRY_MAX_SECS: '2',
      // Every customer of the browser tests starts from 127.0.0.1, dozens a minute; the
      // default (5 a minute per address) is proven by the server tests.
      SWITCHBOARD_CHAT_STARTS_PER_MINUTE: '1000',
    },
  },
});
