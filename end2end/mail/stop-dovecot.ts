import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Stops the Dovecot the configuration started. */
export default function stopDovecot() {
  const dir = process.env.SWITCHBOARD_E2E_IMAP_DIR;
  if (dir) {
    execFileSync('doveadm', ['-c', join(dir, 'dovecot.conf'), 'stop']);
  }
}
