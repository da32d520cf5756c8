"""calcflow-api's FastCGI socket with more kept-alive connections than it has threads, driven the way
nginx drives it (FCGI_KEEP_CONN): each connection asks once and stays open, idle; then each asks
again, the first ones last. Every answer must come within a second: an idle connection may not hold
a thread that another connection's request needs. Exits non-zero with what went wrong.

Usage: kept_connections_check.py SOCKET CONNECTIONS
"""
import socket
import struct
import sys
import time

BEGIN_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
RESPONDER, KEEP_CONN = 1, 1


def record(kind, request_id, content=b""):
    return struct.pack(">BBHHBB", 1, kind, request_id, len(content), 0, 0) + content


def pair(name, value):
    name, value = name.encode(), value.encode()
    return bytes([len(name), len(value)]) + name + value


def ask(connection, request_id):
    params = pair("REQUEST_METHOD", "GET") + pair("REQUEST_URI", "/api/v1/healthz") + pair("REMOTE_ADDR", "127.0.0.1")
    connection.sendall(record(BEGIN_REQUEST, request_id, struct.pack(">HB5x", RESPONDER, KEEP_CONN))
                       + record(PARAMS, request_id, params) + record(PARAMS, request_id) + record(STDIN, request_id))
    output = b""
    while True:
        header = read_exactly(connection, 8)
        _, kind, _, length, padding, _ = struct.unpack(">BBHHBB", header)
        content = read_exactly(connection, length + padding)[:length]
        if kind == STDOUT:
            output += content
        elif kind == END_REQUEST:
            return output


def read_exactly(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionError("calcflow-api closed a kept connection")
        data += chunk
    return data


def main(path, count):
    connections = []
    for index in range(int(count)):
        connection = socket.socket(socket.AF_UNIX)
        connection.settimeout(5)
        connection.connect(path)
        connections.append(connection)
    problems = []
    for round_number, order in enumerate((connections, list(reversed(connections)))):
        for index, connection in enumerate(order):
            started = time.monotonic()
            try:
                answer = ask(connection, index + 1)
            except (OSError, ConnectionError) as error:
                problems.append(f"round {round_number + 1}, connection {index + 1}: {error}")
                continue
            seconds = time.monotonic() - started
            if b"Status: 200" not in answer.split(b"\r\n\r\n")[0]:
                problems.append(f"round {round_number + 1}, connection {index + 1}: {answer[:80]!r}")
            if seconds > 1:
                problems.append(f"round {round_number + 1}, connection {index + 1}: {seconds:.1f} s")
    for problem in problems:
        print(problem)
    print("kept connections check " + ("failed" if problems else "passed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
