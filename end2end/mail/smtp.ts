import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The real SMTP server the browser tests' replies go to (aiosmtpd, `smtp_capture.py`),
 * writing every message it accepts to a folder. Started by the Playwright configuration;
 * tests stop and start it again to see the outbox wait.
 */
function dir(): string {
  return process.env.SWITCHBOARD_E2E_SMTP_DIR!;
}

export function startSmtp() {
  const port = process.env.SWITCHBOARD_E2E_SMTP_PORT!;
  mkdirSync(join(dir(), 'mail'), { recursive: true });
  const log = openSync(join(dir(), 'smtp.log'), 'a');
  const child = spawn('/usr/bin/python3', [join(__dirname, 'smtp_capture.py'), port, join(dir(), 'mail')], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  writeFileSync(join(dir(), 'smtp.pid'), String(child.pid));
  // Listening within a few seconds.
  execFileSync('/usr/bin/python3', [
    '-c',
    `import socket,time,sys
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", ${port}), 0.2).close(); sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit(1)`,
  ]);
}

function listening(): boolean {
  try {
    execFileSync('/usr/bin/python3', [
      '-c',
      `import socket; socket.create_connection(("127.0.0.1", ${process.env.SWITCHBOARD_E2E_SMTP_PORT}), 0.5).close()`,
    ]);
    return true;
  } catch {
    return false;
  }
}

/** Starts the server if it is not running (after a test that stopped it failed). */
export function ensureSmtp() {
  if (!listening()) startSmtp();
}

export function stopSmtp() {
  const pidFile = join(dir(), 'smtp.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  execFileSync('/usr/bin/python3', [
    '-c',
    `import socket,time,sys
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", ${process.env.SWITCHBOARD_E2E_SMTP_PORT}), 0.2).close(); time.sleep(0.1)
    except OSError: sys.exit(0)
sys.exit(1)`,
  ]);
}

/** A message the SMTP server received, parsed by Python's email package. */
export interface Sent {
  envelopeTo: string[];
  subject: string;
  from: string;
  to: string;
  cc: string;
  headers: string[];
  inReplyTo: string;
  replyTo: string;
  html: string;
  text: string;
  attachments: { name: string; size: number; sha256: string }[];
  structure: string;
}

export function sentMessages(): Sent[] {
  const mail = join(dir(), 'mail');
  if (!existsSync(mail)) return [];
  return readdirSync(mail)
    .filter((n) => n.endsWith('.eml'))
    .sort()
    .map((n) => JSON.parse(execFileSync('/usr/bin/python3', [join(__dirname, 'parse_eml.py'), join(mail, n)]).toString()));
}
