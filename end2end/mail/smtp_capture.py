#!/usr/bin/python3
"""A real SMTP server on loopback for the tests (SPEC R-7), built on Debian's aiosmtpd.

Every message it accepts is written to DIR as <n>.eml (the bytes as received) beside
<n>.json (the envelope: MAIL FROM and every RCPT TO, Bcc included). Recipients at
refused.test are answered 550 (a permanent refusal), recipients at later.test 451 (try
again later), so tests can see how Switchboard handles both.

Usage: smtp_capture.py PORT DIR [--starttls CERT KEY | --tls CERT KEY] [--auth USER PASSWORD]
With --starttls the server requires STARTTLS before anything else; with --tls it speaks TLS
from the first byte (as on port 465); with --auth it requires AUTH (PLAIN or LOGIN) before
mail is accepted.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Capture:
    def __init__(self, directory):
        self.directory = directory
        self.count = len([n for n in os.listdir(directory) if n.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rsplit("@", 1)[-1].lower()
        if domain == "refused.test":
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        if domain == "later.test":
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".json.tmp", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        # The envelope first: a reader that sees the .eml finds its envelope.
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("directory")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", nargs=2, metavar=("USER", "PASSWORD"))
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    options = {}
    if args.starttls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.starttls)
        options.update(tls_context=context, require_starttls=True)
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
        options.update(ssl_context=context)
    if args.auth:
        user, password = args.auth[0].encode(), args.auth[1].encode()

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user and auth_data.password == password
            return AuthResult(success=ok)

        options.update(authenticator=authenticator, auth_required=True,
                       # aiosmtpd counts only STARTTLS as TLS; with --tls all of it is.
                       auth_require_tls=bool(args.starttls))
    controller = Controller(
        Capture(args.directory),
        hostname="127.0.0.1",
        port=args.port,
        data_size_limit=64 * 1024 * 1024,
        **options,
    )
    controller.start()
    print("listening", flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
