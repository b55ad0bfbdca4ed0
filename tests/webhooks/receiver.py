#!/usr/bin/env python3
"""A webhook receiver for the tests: HTTPS (or HTTP) on 127.0.0.1, checking each delivery's
Standard Webhooks signature with its own code (Python's hmac, not Rapport's), and writing one JSON
line per request to --log: the webhook-id, -timestamp, whether the signature verified, the body,
and what it answered.

It misbehaves on purpose when asked: the first --fail requests are answered 500, the next --hang
are held longer than Rapport waits (--hang-seconds) before a 200 nobody reads. Kill it and start it
again on the same --port to play a receiver that restarts.

Prints "listening on PORT" once it is.
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import ssl
import sys
import threading
import time


def verified(secret, msg_id, timestamp, body, header):
    if not secret.startswith("whsec_"):
        return False
    key = base64.b64decode(secret[len("whsec_"):])
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for part in header.split(" "):
        version, _, signature = part.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--hang", type=int, default=0)
    parser.add_argument("--hang-seconds", type=float, default=5)
    args = parser.parse_args()
    lock = threading.Lock()
    state = {"seen": 0}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state["seen"] += 1
                n = state["seen"]
            if n <= args.fail:
                answer = 500
            elif n <= args.fail + args.hang:
                answer = "hang"
            else:
                answer = 200
            try:
                with open(args.secret_file) as f:
                    secrets = [line.strip() for line in f if line.strip()]
            except OSError:
                secrets = []
            msg_id = self.headers.get("webhook-id", "")
            timestamp = self.headers.get("webhook-timestamp", "")
            signature = self.headers.get("webhook-signature", "")
            entry = {
                "n": n, "id": msg_id, "timestamp": timestamp, "signature": signature,
                "verified": [verified(s, msg_id, timestamp, body, signature) for s in secrets],
                "content_type": self.headers.get("Content-Type", ""),
                "body": json.loads(body or b"null"), "answer": answer,
            }
            with lock, open(args.log, "a") as log:
                log.write(json.dumps(entry) + "\n")
            if answer == "hang":
                time.sleep(args.hang_seconds)
                answer = 200
            self.send_response(answer)
            self.send_header("Content-Type", "text/plain")
            text = b"ok" if answer == 200 else b"receiver failing on purpose"
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            try:
                self.wfile.write(text)
            except OSError:
                pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"listening on {server.server_address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
