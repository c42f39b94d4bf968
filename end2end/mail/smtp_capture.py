#!/usr/bin/python3
"""A real SMTP server on loopback for the tests (SPEC R-7), built on Debian's aiosmtpd.

Every message it accepts is written to DIR as <n>.eml (the bytes as received) beside
<n>.json (the envelope: MAIL FROM and every RCPT TO, Bcc included). Recipients at
refused.test are answered 550 (a permanent refusal), recipients at later.test 451 (try
again later), so tests can see how Switchboard handles both.

Usage: smtp_capture.py PORT DIR
"""

import asyncio
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller


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
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(
        Capture(directory),
        hostname="127.0.0.1",
        port=port,
        data_size_limit=64 * 1024 * 1024,
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
