#!/usr/bin/env python3
"""Fills a Maildir with realistic messages, fast (one process, no fsync).

    seed-maildir.py MAILDIR TOTAL_BYTES MEAN_MESSAGE_BYTES RECIPIENT [HOSTNAME]

Writes RFC 5322 messages (Return-Path, Delivered-To, Received, From, To, Subject, Date,
Message-ID, MIME-Version; a text/plain part and, when there is room, a base64 attachment
filling the message to its size) into MAILDIR/new, Dovecot-style file names with ,S=<size>.
Sizes vary from 0.5x to 1.5x the mean and add up to TOTAL_BYTES exactly. About 10% of the
messages go to MAILDIR/cur with the Seen flag (:2,S). Dates run over the past year, oldest
first. Deterministic (fixed seed) apart from the base64 noise. Prints "<files> <bytes>".
"""
import base64
import os
import random
import sys
import time
from email.utils import format_datetime
from datetime import datetime, timezone

LINE = 76


def main() -> None:
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    maildir, total, mean, recipient = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    host = sys.argv[5] if len(sys.argv) == 6 else "ny.company.com"
    rng = random.Random(20261127)

    sizes = []
    remaining = total
    while remaining > 0:
        size = rng.randint(mean // 2, mean + mean // 2) if mean > 1 else 1
        if remaining - size < max(mean // 2, 1):
            size = remaining
        sizes.append(size)
        remaining -= size

    # A pool of base64 lines; each attachment is a slice of it starting at a line boundary.
    longest = max(sizes)
    raw = os.urandom(max(8 << 20, 2 * longest) * 3 // 4)
    encoded = base64.b64encode(raw)
    pool = b"".join(encoded[i:i + LINE] + b"\n" for i in range(0, len(encoded), LINE))
    lines_in_pool = len(pool) // (LINE + 1)

    senders = [("Anna Meyer", "anna.meyer@example.org"), ("Felix Novak", "felix.novak@example.net"),
               ("Clara Rossi", "clara.rossi@partner.example"), ("Hugo Larsen", "hugo.larsen@example.com"),
               ("Alice Novak", "alice.novak@company.com"), ("Ida Berg", "billing@supplier.example")]
    topics = ["Quarterly report", "Re: Meeting on Thursday", "Invoice", "Fwd: Contract draft", "Project status",
              "Travel plans", "Re: Budget 2027", "Minutes of the board meeting", "Site visit photos", "Offer"]
    words = ("the of and to in is that for it as was with be by on not he this are or his from at which but have "
             "an they you were her she there been one all we their has would when if so what out up more about "
             "into them can only other new some could these time two may then do first any my now such like our "
             "over man me even most made after also did many before must through back years where much your way").split()

    for leaf in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, leaf), mode=0o700, exist_ok=True)

    count = len(sizes)
    now = int(time.time())
    span = 365 * 86400
    pid = os.getpid()
    written = 0
    for i, size in enumerate(sizes):
        when = now - span + (span * i) // max(count, 1)
        name, address = senders[i % len(senders)]
        subject = f"{topics[i % len(topics)]} #{i + 1}"
        boundary = f"=_bench_{i:08d}_{rng.getrandbits(32):08x}"
        date = format_datetime(datetime.fromtimestamp(when, timezone.utc))
        header = (
            f"Return-Path: <{address}>\n"
            f"Delivered-To: {recipient}\n"
            f"Received: from mx.example.org (mx.example.org [192.0.2.{i % 250 + 1}])\n"
            f"\tby {host} with ESMTPS id {i:010d}; {date}\n"
            f"From: {name} <{address}>\n"
            f"To: Bob Smith <{recipient}>\n"
            f"Subject: {subject}\n"
            f"Date: {date}\n"
            f"Message-ID: <{when}.{i}.{rng.getrandbits(40):010x}@{address.split('@')[1]}>\n"
            f"MIME-Version: 1.0\n"
        )
        text = " ".join(rng.choice(words) for _ in range(60)) + ".\n\nBest regards,\n" + name + "\n"
        attach_head = (
            f"Content-Type: multipart/mixed; boundary=\"{boundary}\"\n\n"
            f"This is a multi-part message in MIME format.\n\n"
            f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n{text}\n"
            f"--{boundary}\nContent-Type: application/pdf; name=\"document-{i + 1}.pdf\"\n"
            f"Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=\"document-{i + 1}.pdf\"\n\n"
        ).encode()
        attach_tail = f"\n--{boundary}--\n".encode()
        head = header.encode()
        fill = size - len(head) - len(attach_head) - len(attach_tail)
        if fill >= LINE + 1:
            start = rng.randrange(0, lines_in_pool - (fill // (LINE + 1)) - 1) * (LINE + 1)
            body = attach_head + pool[start:start + fill - 1] + b"\n" + attach_tail
        else:
            # Too small for an attachment: plain text, padded (or cut) to the size.
            plain = b"Content-Type: text/plain; charset=utf-8\n\n" + text.encode()
            room = size - len(head) - len(plain)
            body = plain + (b"." * (room - 1) + b"\n" if room > 0 else b"")
        data = (head + body)[:size] if len(head) + len(body) > size else head + body

        base = f"{when}.M{i % 1000000:06d}P{pid}Q{i + 1}.{host},S={len(data)}"
        path = os.path.join(maildir, "cur", base + ":2,S") if rng.random() < 0.10 else os.path.join(maildir, "new", base)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as output:
            output.write(data)
        written += len(data)

    print(count, written)


if __name__ == "__main__":
    main()
