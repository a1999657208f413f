"""A webhook receiver for the tests: verifies each delivery with the public `standardwebhooks`
package (an implementation independent of WhatsFlow's) and appends what it got to a JSON-lines log.

usage: webhook_receiver.py SECRET PORT LOG [unavailable]
Prints the port it listens on. With `unavailable`, answers 503 to everything (a receiver that is
up but failing)."""

import http.server
import json
import sys

from standardwebhooks.webhooks import Webhook

secret, port, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
unavailable = len(sys.argv) > 4 and sys.argv[4] == "unavailable"
verifier = Webhook(secret)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if unavailable:
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"down for maintenance")
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            payload = verifier.verify(body, headers)
            entry = {"verified": True, "webhookId": headers["webhook-id"], "type": payload["type"],
                     "data": payload["data"]}
            status = 204
        except Exception as error:  # noqa: BLE001 - any failure is a refused delivery, logged
            entry = {"verified": False, "error": repr(error),
                     "webhookTimestamp": headers.get("webhook-timestamp")}
            status = 400
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
