"""A SageMaker-style model server for Calcflow's tests: `serve`, port $SAGEMAKER_BIND_TO_PORT,
GET /ping once "loaded", POST /invocations. Its misbehaviours are chosen by environment:
TEST_LOAD_SECONDS (a slow load), TEST_NEVER_READY (no /ping ever), TEST_EXIT_AT_ONCE (crash)."""
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ready = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        print("request " + (format % args), flush=True)

    def answer(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ping":
            self.answer(200 if ready.is_set() else 503, {"ready": ready.is_set()})
        else:
            self.answer(404, {"error": "no such path"})

    def do_POST(self):
        if self.path != "/invocations":
            return self.answer(404, {"error": "no such path"})
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw)
        except ValueError:
            return self.answer(400, {"error": "the input is not JSON"})
        numbers = [value for value in payload.get("inputs", []) if isinstance(value, (int, float))]
        self.answer(200, {"prediction": sum(numbers), "count": len(numbers)})


def main():
    if sys.argv[1:] != ["serve"]:
        print("usage: serve.py serve", file=sys.stderr)
        sys.exit(2)
    print("contract-test model starting", flush=True)
    if os.environ.get("TEST_EXIT_AT_ONCE"):
        print("cannot load the weights: no such file /opt/ml/model/weights.npy", flush=True)
        sys.exit(3)
    port = int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)

    def stop(signum, frame):
        print("stopping on SIGTERM", flush=True)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)

    def load():
        time.sleep(float(os.environ.get("TEST_LOAD_SECONDS", "0")))
        if not os.environ.get("TEST_NEVER_READY"):
            print("weights loaded", flush=True)
            ready.set()

    threading.Thread(target=load, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
