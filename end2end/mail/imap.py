"""IMAP helper for the browser tests: delivers a message with APPEND and counts messages.

    python3 imap.py PORT append < message.eml
    python3 imap.py PORT count MESSAGE-ID
    python3 imap.py PORT append-to FOLDER < message.eml   (creates FOLDER if needed)
    python3 imap.py PORT move-all FOLDER                  (every message of FOLDER to INBOX)
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
elif command == "append-to":
    imap.create(sys.argv[3])
    status, _ = imap.append(sys.argv[3], None, None, sys.stdin.buffer.read())
    assert status == "OK", status
elif command == "move-all":
    imap.select(sys.argv[3])
    status, data = imap.uid("MOVE", "1:*", "INBOX")
    assert status == "OK", (status, data)
imap.logout()
