#!/usr/bin/env python3
"""The tests' mail server: SMTP on 127.0.0.1 (Python's aiosmtpd) that hands every message it is
sent to `rapport mail-in` through a pipe, once per envelope recipient, as Postfix's pipe(8) does,
and answers the sender with what the pipe's exit code means (0: 250, 67: 550, 75: 451, else 554).

Usage: mail_server.py RAPPORT_BINARY DB_URL. Prints "listening on PORT" once it is.
"""
import signal
import socket
import subprocess
import sys

from aiosmtpd.controller import Controller


class Pipe:
    def __init__(self, binary, db):
        self.binary, self.db = binary, db

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            done = subprocess.run(
                [self.binary, "mail-in", "--db", self.db, "--recipient", recipient],
                input=envelope.original_content, capture_output=True)
            said = done.stderr.decode(errors="replace").strip().replace("\n", " ")[:200]
            print(f"{recipient}: {done.returncode} {said}", file=sys.stderr, flush=True)
            if done.returncode == 67:
                return f"550 5.1.1 {said}"
            if done.returncode == 75:
                return f"451 4.3.0 {said}"
            if done.returncode != 0:
                return f"554 5.6.0 {said}"
        return "250 2.0.0 filed"


def main():
    binary, db = sys.argv[1], sys.argv[2]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Pipe(binary, db), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on {port}", file=sys.stderr, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == "__main__":
    main()
