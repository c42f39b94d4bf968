#!/usr/bin/env bash
# Starts a throwaway Dovecot for the browser tests: loopback only, plain IMAP on port $1,
# replies sent through the SMTP server on port $3 (default 3025),
# configuration, passwords and maildir in $2. Prints nothing; `doveadm -c $2/dovecot.conf
# stop` stops it (the Playwright teardown does).
set -euo pipefail
port="$1"
dir="$2"
mkdir -p "$dir/mail"
echo 'support:{PLAIN}imap-e2e-secret' > "$dir/passwd"
if [ "$(id -u)" = 0 ]; then
  user=dovecot group=dovecot extra=""
  chmod 755 "$dir"
else
  user="$(id -un)" group="$(id -gn)"
  extra="default_login_user = $user
default_internal_user = $user"
fi
cat > "$dir/dovecot.conf" <<CONF
$extra
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 100
mail_location = maildir:$dir/mail/%u
# IDLE learns of new mail through inotify; where a sandbox denies it, Dovecot falls back to
# looking every mailbox_idle_check_interval (30 s by default): keep that short for the tests.
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$user gid=$group home=$dir/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
CONF
if [ "$(id -u)" = 0 ]; then chown -R "$user:$group" "$dir/mail"; fi
# Dovecot goes to the background; its output goes to a file so no pipe stays open.
if ! /usr/sbin/dovecot -c "$dir/dovecot.conf" > "$dir/start.log" 2>&1 < /dev/null; then
  cat "$dir/start.log" >&2
  exit 1
fi
cat > "$dir/mailboxes.json" <<JSON
[{"name": "support-inbox", "csq": "Support", "host": "127.0.0.1", "port": $port,
  "security": "none", "username": "support", "password": "imap-e2e-secret", "poll_secs": 30,
  "address": "support@switchboard.test", "display_name": "Switchboard Support",
  "signature_html": "<p><b>Switchboard Shop</b> · Customer care</p>",
  "smtp": {"host": "127.0.0.1", "port": ${3:-3025}, "security": "none"}}]
JSON
