"""An Amazon Connect stand-in for the Connect bridge's browser tests, on an origin of its own.

It serves, as a deployment's web server and Amazon Connect would:
- `/connect-streams-min.js`: a stand-in of amazon-connect-streams (the `connect` global),
  written from the library's README.md and Documentation.md (see the file);
- `/ccp-v2/`: a stand-in contact control panel, the page `initCCP` frames.

    with ConnectStandIn() as connect:
        connect.url   # http://127.0.0.1:<port>
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


class _Files(SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *_args):
        pass


class ConnectStandIn:
    def __init__(self):
        handler = functools.partial(_Files, directory=str(STATIC))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()
