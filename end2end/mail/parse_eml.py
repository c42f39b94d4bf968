#!/usr/bin/python3
"""Prints a captured message (and its .json envelope) as JSON for the browser tests."""

import hashlib
import json
import sys
from email import policy
from email.parser import BytesParser

path = sys.argv[1]
with open(path, "rb") as f:
    message = BytesParser(policy=policy.default).parse(f)
with open(path[:-4] + ".json") as f:
    envelope = json.load(f)


def structure(part, depth=0):
    line = "  " * depth + part.get_content_type()
    if part.is_multipart():
        return "\n".join([line] + [structure(p, depth + 1) for p in part.iter_parts()])
    return line


html = message.get_body(("html",))
text = message.get_body(("plain",))
attachments = []
for part in message.iter_attachments():
    data = part.get_payload(decode=True) or b""
    attachments.append(
        {
            "name": part.get_filename() or "",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    )
print(
    json.dumps(
        {
            "envelopeTo": envelope["to"],
            "subject": str(message["subject"] or ""),
            "from": str(message["from"] or ""),
            "to": str(message["to"] or ""),
            "cc": str(message["cc"] or ""),
            "headers": [k.lower() for k in message.keys()],
            "inReplyTo": str(message["in-reply-to"] or ""),
            "replyTo": str(message["reply-to"] or ""),
            "html": html.get_content() if html else "",
            "text": text.get_content() if text else "",
            "attachments": attachments,
            "structure": structure(message),
        }
    )
)
