import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Delivers a raw message into the test mailbox's INBOX with IMAP APPEND (real Dovecot). */
/**
 * How long a test waits for an appended message to reach an agent. Through IDLE it takes a
 * second or two; should the mailbox's change notice go missing, the connector's contract is
 * its next poll (`poll_secs`, 30 in start-dovecot.sh), which this covers.
 */
export const MAIL_ARRIVES_MS = 35_000;

export function deliver(raw: string | Buffer) {
  execFileSync('python3', ['mail/imap.py', process.env.SWITCHBOARD_E2E_IMAP_PORT!, 'append'], {
    input: raw,
  });
}

/**
 * Delivers a message the mail server cannot give: put in a folder of its own, its maildir
 * file made unreadable, then moved into INBOX (the same file, so still unreadable).
 */
export function deliverUnreadable(raw: string) {
  const port = process.env.SWITCHBOARD_E2E_IMAP_PORT!;
  const folder = `Hold${Date.now()}`;
  execFileSync('python3', ['mail/imap.py', port, 'append-to', folder], { input: raw });
  const maildir = join(process.env.SWITCHBOARD_E2E_IMAP_DIR!, 'mail', 'support', `.${folder}`);
  for (const sub of ['cur', 'new']) {
    for (const name of readdirSync(join(maildir, sub))) {
      chmodSync(join(maildir, sub, name), 0o000);
    }
  }
  execFileSync('python3', ['mail/imap.py', port, 'move-all', folder]);
}

/** How many messages with this Message-ID the mailbox holds. */
export function countInMailbox(messageId: string): number {
  const out = execFileSync('python3', [
    'mail/imap.py',
    process.env.SWITCHBOARD_E2E_IMAP_PORT!,
    'count',
    messageId,
  ]);
  return Number(out.toString().trim());
}

function b64(data: Buffer): string {
  return data.toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** A plain message; `headers` adds threading headers. */
export function plainMessage(opts: {
  from: string;
  subject: string;
  messageId: string;
  headers?: string;
  body?: string;
}): string {
  return (
    `From: ${opts.from}\r\nTo: support@switchboard.test\r\nSubject: ${opts.subject}\r\n` +
    `Message-ID: <${opts.messageId}>\r\nDate: ${new Date().toUTCString()}\r\n${opts.headers ?? ''}` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${opts.body ?? 'Hello'}\r\n`
  );
}

/**
 * A message as mailers send them: HTML with an inline (CID) logo, a remote image, and
 * hostile script of every kind; a plain-text alternative; a PDF attachment.
 */
export function richMessage(opts: {
  messageId: string;
  subject: string;
  remoteImage: string;
  pdf: Buffer;
  logo: Buffer;
}): string {
  const html =
    `<html><head><script>parent.document.title='pwned-script'</script></head>` +
    `<body onload="parent.postMessage('pwned-onload','*')">` +
    `<p>Hello <b>agent</b>, my parcel arrived broken.</p>` +
    `<p><img alt="Shop logo" src="cid:logo@e2e"></p>` +
    `<p><img alt="Remote picture" src="${opts.remoteImage}"></p>` +
    `<img src="x" onerror="parent.postMessage('pwned-onerror','*')">` +
    `<a href="javascript:parent.postMessage('pwned-link','*')">details</a>` +
    `</body></html>`;
  return [
    `From: "Ann Lee" <ann.lee@example.com>`,
    `To: support@switchboard.test`,
    `Subject: ${opts.subject}`,
    `Message-ID: <${opts.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/mixed; boundary="mixed"`,
    ``,
    `--mixed`,
    `Content-Type: multipart/related; boundary="related"`,
    ``,
    `--related`,
    `Content-Type: multipart/alternative; boundary="alt"`,
    ``,
    `--alt`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `Hello agent, my parcel arrived broken.`,
    `--alt`,
    `Content-Type: text/html; charset=utf-8`,
    ``,
    html,
    `--alt--`,
    `--related`,
    `Content-Type: image/png`,
    `Content-ID: <logo@e2e>`,
    `Content-Transfer-Encoding: base64`,
    ``,
    b64(opts.logo),
    `--related--`,
    `--mixed`,
    `Content-Type: application/pdf; name="receipt.pdf"`,
    `Content-Disposition: attachment; filename="receipt.pdf"`,
    `Content-Transfer-Encoding: base64`,
    ``,
    b64(opts.pdf),
    `--mixed--`,
    ``,
  ].join('\r\n');
}

/** A 2x2 red PNG. */
export const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGO4o6EBRAwQCgAjrgSxn17XlQAAAABJRU5ErkJggg==',
  'base64',
);
