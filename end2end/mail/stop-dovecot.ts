import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { stopSmtp } from './smtp';

/** Stops the Dovecot and the SMTP server the configuration started. */
export default function stopDovecot() {
  const dir = process.env.SWITCHBOARD_E2E_IMAP_DIR;
  if (dir) {
    execFileSync('doveadm', ['-c', join(dir, 'dovecot.conf'), 'stop']);
    stopSmtp();
  }
}
