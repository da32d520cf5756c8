"""Calcflow's example model, a SageMaker-style container: `serve` on $SAGEMAKER_BIND_TO_PORT (8080),
GET /ping once the weights are loaded, POST /invocations with JSON in and out.

Input: Calcflow's prediction input ({"molecule": {"formula", "structure": {"text"}}, ...}), or
{"formula": "H2O"}, or {"instances": [{"formula": ...}, ...]}. Output: {"prediction": eV, "unit": "eV"}
(or {"predictions": [...]})."""
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as energy  # noqa: E402

WEIGHTS = [os.path.join("/opt/ml/model", "weights.json"), os.path.join(os.path.dirname(os.path.abspath(__file__)), "weights.json")]
state = {"model": None}


def formula_of(item):
    if isinstance(item, dict):
        if isinstance(item.get("formula"), str) and item["formula"]:
            return item["formula"]
        molecule = item.get("molecule")
        if isinstance(molecule, dict):
            if isinstance(molecule.get("formula"), str) and molecule["formula"]:
                return molecule["formula"]
            text = (molecule.get("structure") or {}).get("text")
            if isinstance(text, str):
                return energy.formula_of_xyz(text)
    raise ValueError("send {\"formula\": \"H2O\"}, a molecule with a formula or an xyz structure, or {\"instances\": [...]}")


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as SageMaker's own serving containers do: Calcflow's proxy holds one connection per
    # worker thread, and a new TCP connection per prediction would cost more than the prediction.
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: with Nagle's algorithm the second waits for the client's
    # delayed ACK (40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_request(self, code="-", size="-"):
        # Successful predictions are not logged line by line: at hundreds a second they would drown
        # the model's log (which Calcflow keeps) and cost more than the prediction. Failures are.
        if not (isinstance(code, int) and code < 400):
            super().log_request(code, size)

    def log_message(self, format, *args):
        print("request " + (format % args), flush=True)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ping":
            return self.answer(200 if state["model"] else 503, {"loaded": state["model"] is not None})
        self.answer(404, {"error": "GET /ping or POST /invocations"})

    def do_POST(self):
        if self.path != "/invocations":
            return self.answer(404, {"error": "GET /ping or POST /invocations"})
        if state["model"] is None:
            return self.answer(503, {"error": "the weights are not loaded yet"})
        try:
            payload = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if isinstance(payload, dict) and isinstance(payload.get("instances"), list):
                values = [energy.predict(state["model"], formula_of(item)) for item in payload["instances"]]
                return self.answer(200, {"predictions": values, "unit": "eV"})
            return self.answer(200, {"prediction": energy.predict(state["model"], formula_of(payload)), "unit": "eV"})
        except (ValueError, KeyError, TypeError, IndexError) as error:
            return self.answer(400, {"error": str(error)})


def load():
    for path in WEIGHTS:
        if os.path.exists(path):
            with open(path) as file:
                manifest = json.load(file)
            state["model"] = manifest["model"]
            print(f"weights loaded from {path}: {len(manifest['model']['elements'])} elements, "
                  f"trained on {len(manifest.get('calculation_ids', []))} calculations and {manifest.get('seed_samples', 0)} seed runs", flush=True)
            return
    print("no weights.json in /opt/ml/model or beside the server", flush=True)
    sys.exit(3)


class Server(ThreadingHTTPServer):
    # http.server's backlog of 5 drops connections under concurrent load (and the client waits a
    # second for its SYN to be retried).
    request_queue_size = 128
    daemon_threads = True


def main():
    if sys.argv[1:] != ["serve"]:
        print("usage: serve.py serve", file=sys.stderr)
        sys.exit(2)
    server = Server(("0.0.0.0", int(os.environ.get("SAGEMAKER_BIND_TO_PORT", "8080"))), Handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: threading.Thread(target=server.shutdown).start())
    threading.Thread(target=load, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
