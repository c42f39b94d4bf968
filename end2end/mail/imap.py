"""IMAP helper for the browser tests: delivers a message with APPEND and counts messages.

    python3 imap.py PORT append < message.eml
    python3 imap.py PORT count MESSAGE-ID
"""
import imaplib, sys

port, command = int(sys.argv[1]), sys.argv[2]
imap = imaplib.IMAP4("127.0.0.1", port)
imap.login("support", "imap-e2e-secret")
imap.select("INBOX")
if command == "append":
    status, _ = imap.append("INBOX", None, None, sys.stdin.buffer.read())
    assert status == "OK", status
elif command == "count":
    status, data = imap.uid("SEARCH", None, "HEADER", "Message-ID", sys.argv[3])
    print(len(data[0].split()))
imap.logout()
