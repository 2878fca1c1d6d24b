#!/usr/bin/env python3
"""An OTLP/HTTP receiver that takes every export and keeps nothing: to measure what tracing costs
the services (span creation, header propagation, batching and export) without a collector's own
CPU in the figures.

    python3 bench/otlp-sink.py 4318 &        # then OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
    kill %1                                  # prints the requests and bytes it took

Loopback only. Answers each POST with 200 and an empty protobuf body (an ExportTraceServiceResponse
with nothing rejected), as a collector that accepted everything does.
"""
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

requests = 0
received = 0


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global requests, received
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        requests += 1
        received += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4318
    server = ThreadingHTTPServer(("127.0.0.1", port), Sink)

    def stop(*_):
        print(f"otlp-sink: {requests} export requests, {received} bytes", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"otlp-sink: listening on http://127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
