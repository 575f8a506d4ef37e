"""A real HTTP server on 127.0.0.1 standing in for the model zoo.

It serves the files of one folder under their names, answers range
requests (``Range: bytes=N-``, status 206) as download.openmmlab.com does,
logs every request's path and Range header, and can cut a transfer off
after some bytes (the connection closes mid-file) to rehearse a resumed
download. Python's ``http.server`` does not answer ranges, hence the
handler.
"""
import http.server
import threading
from pathlib import Path


class ZooServer:
    """``with ZooServer(folder) as zoo: zoo.url('file.pth')``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.requests = []  # (path, Range header or None)
        self.cut_after = {}  # file name -> bytes sent before cutting off
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet test output
                pass

            def do_GET(self):
                name = self.path.lstrip('/').split('/')[-1]
                server.requests.append((self.path, self.headers.get('Range')))
                path = server.folder / name
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start = 0
                wanted = self.headers.get('Range')
                if wanted and wanted.startswith('bytes='):
                    start = int(wanted[len('bytes='):].split('-')[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header('Content-Range',
                                         f'bytes */{len(data)}')
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header('Content-Range',
                                     f'bytes {start}-{len(data) - 1}/'
                                     f'{len(data)}')
                else:
                    self.send_response(200)
                self.send_header('Content-Length', str(len(data) - start))
                self.send_header('Accept-Ranges', 'bytes')
                self.end_headers()
                body = data[start:]
                cut = server.cut_after.pop(name, None)
                if cut is not None:  # once: the next request gets it all
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)

    def url(self, name: str) -> str:
        return f'http://127.0.0.1:{self.port}/models/{name}'

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
