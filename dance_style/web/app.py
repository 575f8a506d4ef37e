"""A small ASGI app (Starlette) around one loaded recognizer.

Why Starlette and not Gradio: Gradio's upload protocol passes server file
paths through the client and writes a cache folder at the top level; here the
browser sends the video's bytes as the request body, and the server alone
names every file it writes, under its own folder in ``work_dirs/``.

* ``GET /``: the page (``page.html``).
* ``GET /api/info``: classes, sample clips, limits.
* ``POST /api/predict``: the body is the video; returns the top-5 styles,
  the timeline's segments and shares, and the timeline PNG (a data URL).
* ``POST /api/sample/{name}``: the same for a clip generated at start.

What a request from anywhere may cost, in the order it is checked:

* **Who asks** (:class:`OriginGuard`): the ``Host`` header must name the
  address the server listens on, and an ``Origin`` header, when the browser
  sends one, a page of that address: other web pages the user visits, and
  DNS rebinding (a name of the attacker's that resolves to 127.0.0.1), get
  403. ``--allow-origin`` adds names.
* **How many** (:class:`JobQueue`): one analysis runs, ``max_waiting``
  more wait; beyond that 503 with ``Retry-After``, before the body is read.
* **How long**: ``request_timeout`` seconds from the first byte to the
  answer, upload, waiting and analysis together; then 408 (upload) or 504.
  A thread cannot be stopped from outside, so the decoding and scoring loops
  check the deadline between frames and batches
  (:func:`dance_style.limits.check_time`) and end the analysis themselves;
  the answer does not wait for that, and the job keeps its place in the
  queue until it has ended, so the queue's bound holds.
* **What** (:func:`check_type`, Content-Length, bytes received): a missing
  or non-video Content-Type gets 415, a body over ``max_mb`` 413, an empty
  one 400. The upload is written to ``<work dir>/uploads/<random>.video``
  and deleted on every path, errors and timeouts included.
* **What is inside** (:func:`dance_style.readers.check_video`): FFmpeg opens
  it only with the video containers of ``readers.VIDEO_FORMATS`` and the file
  protocol (an uploaded playlist, which would make FFmpeg read the paths
  inside it, is refused: 422), and the header's frame size and duration
  are checked before a frame is decoded (``max_frame``, ``max_seconds``:
  413). Frames are decoded at the model's size, so a frame within the cap
  costs the memory of one frame at the source's size at most.
"""
import asyncio
import base64
import collections
import contextlib
import ipaddress
import logging
import math
import shutil
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple
from urllib.parse import urlsplit

from ..limits import DEFAULT_MAX_FRAME

ACCEPTED_TYPES = ('video/', 'image/gif', 'application/octet-stream')
DEFAULT_MAX_MB = 200
DEFAULT_MAX_WAITING = 4  # requests waiting behind the one analysed
# seconds from a request's first byte to its answer: a 30 s phone clip
# takes seconds on a CPU; the 30-minute videos --max-minutes allows take
# longer with a full-size model (pass a larger --request-timeout for them)
DEFAULT_REQUEST_TIMEOUT = 600.0
SAMPLE_SIZE = (80, 80)  # as the demo's synthetic Kinetics clips
LOOPBACK_NAMES = ('127.0.0.1', 'localhost', '[::1]')

logger = logging.getLogger(__name__)


class UploadRefused(Exception):
    """An upload over a limit: HTTP status and a message for the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def check_type(content_type: str) -> None:
    """Refuse what is not a video (by the Content-Type the browser sends;
    none at all is refused too)."""
    kind = (content_type or '').split(';')[0].strip().lower()
    if not kind:
        raise UploadRefused(
            415, 'the upload has no Content-Type: send the video with its '
            'type (video/mp4, video/webm ...) or application/octet-stream')
    if not kind.startswith(ACCEPTED_TYPES):
        raise UploadRefused(
            415, f'"{kind[:60]}" is not a video. Upload a video file (MP4, '
            'WebM, MKV, MOV, AVI) or an animated GIF.')


def normalise_origin(text: str) -> str:
    """``scheme://host[:port]``, lower case, without the scheme's default
    port; ValueError for anything else (a path, a query, no host)."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ('http', 'https') or not parts.hostname or \
            parts.path not in ('', '/') or parts.query or parts.fragment or \
            parts.username or parts.password:
        raise ValueError(f'an origin is scheme://host[:port], e.g. '
                         f'http://mybox.local:8000; got {text!r}')
    host = parts.hostname.lower()
    if ':' in host:
        host = f'[{host}]'
    port = parts.port  # ValueError for a port that is not a number
    default = {'http': 80, 'https': 443}[parts.scheme]
    return f'{parts.scheme}://{host}' + (
        f':{port}' if port not in (None, default) else '')


def _names_for(host: str) -> set:
    """The names a browser on this machine or the network may use for
    ``host``, the address the server listens on."""
    bare = host.strip('[]').lower()
    if bare in ('', '0.0.0.0', '::'):  # every interface: this machine's names
        names = set(LOOPBACK_NAMES) | {bare or '0.0.0.0'}  # as printed
        for name in {socket.gethostname(), socket.getfqdn()}:
            names.add(name.lower())
            with contextlib.suppress(OSError):
                names.update(info[4][0] for info in socket.getaddrinfo(
                    name, None, type=socket.SOCK_STREAM))
        return {f'[{n}]' if ':' in n and n[0] != '[' else n for n in names}
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(bare).is_loopback:
            return set(LOOPBACK_NAMES)
    if bare == 'localhost':
        return set(LOOPBACK_NAMES)
    return {f'[{bare}]' if ':' in bare else bare}


def allowed_origins(host: str, port: int, extra: Iterable[str] = ()
                    ) -> Tuple[frozenset, frozenset]:
    """(Host header values, Origin header values) a request may carry: the
    names of the served address with its port, and each ``extra`` origin
    (``--allow-origin``), which also adds its host as a Host value."""
    names = _names_for(host)
    hosts = {f'{name}:{port}' for name in names}
    if port == 80:  # browsers leave the default port out of Host
        hosts |= names
    origins = {f'http://{h}' for h in hosts}
    for origin in extra:
        origin = normalise_origin(origin)
        origins.add(origin)
        hosts.add(origin.split('://', 1)[1])
    return frozenset(hosts), frozenset(origins)


class OriginGuard:
    """ASGI middleware: 403 for a request whose ``Host`` is not one of
    ``hosts`` or whose ``Origin`` (when sent) is not one of ``origins``.

    A page on another site that the user visits can send requests to
    127.0.0.1 (its browser sends ``Origin``), and a site whose name the
    attacker points at 127.0.0.1 after loading (DNS rebinding) can also read
    the answers (its requests carry ``Host: attacker.example``)."""

    def __init__(self, app, hosts: Iterable[str], origins: Iterable[str]):
        self.app = app
        self.hosts, self.origins = frozenset(hosts), frozenset(origins)
        self.served = min(o for o in self.origins if o.startswith('http:'))

    async def __call__(self, scope, receive, send):
        if scope['type'] != 'http':  # lifespan
            return await self.app(scope, receive, send)
        headers = {k.lower(): v.decode('latin-1')
                   for k, v in scope.get('headers', ())}
        problem = self.problem(headers.get(b'host'), headers.get(b'origin'))
        if problem is None:
            return await self.app(scope, receive, send)
        from starlette.responses import JSONResponse
        await JSONResponse(dict(error=problem), status_code=403)(
            scope, receive, send)

    def problem(self, host: Optional[str], origin: Optional[str]
                ) -> Optional[str]:
        """None for an allowed request, else the message of its 403."""
        if host is None or host.strip().lower() not in self.hosts:
            return (f'refused: the request names the host {host!r:.80}, and '
                    f'this server answers as {self.served} only; to reach it '
                    'under another name, start it with --allow-origin '
                    'http://NAME:PORT')
        if origin is None:
            return None
        try:
            allowed = normalise_origin(origin) in self.origins
        except ValueError:
            allowed = False
        if not allowed:
            return (f'refused: the request comes from a page of '
                    f'{origin!r:.80}, and this server answers its own page '
                    f'({self.served}) only; to allow another, start it with '
                    '--allow-origin ORIGIN')
        return None


def timeout_message(seconds: float) -> str:
    return (f'the analysis took longer than this server allows per request '
            f'({seconds:g} s, tools/serve.py --request-timeout); try a '
            'shorter video, or again when the server is less busy')


class JobQueue:
    """At most ``1 + max_waiting`` requests inside the server: one analysed,
    the others waiting for it (and for their uploads to arrive).

    :meth:`enter` takes a place or says no; the place is left when the
    request ends, or, once its analysis started in a worker thread, when
    that thread ends: a job whose answer timed out still holds the CPU
    until its next deadline check, so it still counts."""

    def __init__(self, max_waiting: int = DEFAULT_MAX_WAITING):
        self.capacity = 1 + int(max_waiting)
        self.inside = 0
        self.lock = threading.Lock()
        self.seconds = collections.deque(maxlen=8)  # recent analyses
        self.executor = ThreadPoolExecutor(self.capacity,
                                           thread_name_prefix='analyse')

    def enter(self) -> bool:
        with self.lock:
            if self.inside >= self.capacity:
                return False
            self.inside += 1
            return True

    def leave(self, seconds: Optional[float] = None) -> None:
        with self.lock:
            self.inside -= 1
            if seconds is not None:
                self.seconds.append(seconds)

    def retry_after(self) -> int:
        """Seconds until a place is likely free: the recent analyses'
        mean time for each request inside (5 s each before any)."""
        with self.lock:
            mean = (sum(self.seconds) / len(self.seconds)
                    if self.seconds else 5.0)
            return max(1, math.ceil(mean * self.inside))

    async def run(self, analyser: 'Analyser', path: Path, deadline: float,
                  delete: bool) -> Tuple[int, Dict]:
        """Analyse ``path`` in a worker thread (this request's place goes
        with it); (status, JSON body), 504 at ``deadline``."""
        future = asyncio.get_running_loop().run_in_executor(
            self.executor, self._work, analyser, path, deadline, delete)
        try:
            return await asyncio.wait_for(
                asyncio.shield(future), max(0.0, deadline - time.monotonic()))
        except asyncio.TimeoutError:
            return 504, dict(error=timeout_message(analyser.request_timeout))

    def _work(self, analyser, path, deadline, delete) -> Tuple[int, Dict]:
        from ..limits import time_limit
        started = time.monotonic()
        try:
            with time_limit(deadline=deadline):
                return analyser.analyse(path)
        finally:
            if delete:
                path.unlink(missing_ok=True)
            self.leave(time.monotonic() - started)


class Analyser:
    """The loaded model and what the page asks of it: one analysis at a
    time (a CPU has no spare cores for two)."""

    def __init__(self, model, folder: Path, stride: float = 1.0,
                 smooth: int = 3, max_seconds: float = 1800,
                 max_frame: Tuple[int, int] = DEFAULT_MAX_FRAME,
                 request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
                 min_segment: float = 0.0, unsure_below: float = 0.0,
                 switch_penalty: float = 0.0):
        from ..limits import InputLimits
        from ..timeline import check_segment_settings
        check_segment_settings(min_segment, unsure_below, switch_penalty)
        self.min_segment, self.unsure_below = min_segment, unsure_below
        self.switch_penalty = switch_penalty
        self.model = model
        self.folder = Path(folder)
        self.stride, self.smooth = stride, smooth
        self.max_seconds = max_seconds
        self.limits = InputLimits(tuple(max_frame), max_seconds)
        self.request_timeout = request_timeout
        self.lock = threading.Lock()

    def analyse(self, path: Path) -> Tuple[int, Dict]:
        """(HTTP status, JSON body): 200 with the top-5 styles and the
        timeline of ``path``; an ``error`` with 413 (over a limit), 422
        (unreadable, or the analysis failed) or 504 (the deadline of
        :func:`dance_style.limits.time_limit` passed)."""
        from ..errors import DanceStyleError
        from ..limits import TimeLimitExceeded
        from ..readers import VideoRefused
        try:
            return 200, self._analyse(path)
        except TimeLimitExceeded:
            return 504, dict(error=timeout_message(self.request_timeout))
        except VideoRefused as error:
            return 413, dict(error=_for_the_user(str(error), path))
        except DanceStyleError as error:
            return 422, dict(error=_for_the_user(str(error), path))
        except Exception as error:  # noqa: BLE001  the page must hear of it
            logger.exception('analysing an upload failed')
            first = (str(error).strip().splitlines() or [''])[0][:200]
            return 422, dict(error=_for_the_user(
                f'the analysis failed ({type(error).__name__}: {first})',
                path))

    def _analyse(self, path: Path) -> Dict:
        from ..errors import DanceStyleError
        from ..limits import TimeLimitExceeded, check_time, time_left
        from ..predict import predict_videos
        from ..readers import check_video, decode_size, resize_after_decode
        from ..timeline import build_timeline, plot_timeline, timeline_json
        wait = time_left()
        if not self.lock.acquire(timeout=-1 if wait is None else
                                 max(0.0, wait)):
            raise TimeLimitExceeded('waited past the deadline')
        try:
            check_time()
            # the container allow-list and the header's frame size and
            # duration first, before a frame is decoded
            check = check_video(path, self.limits)
            decode_size(check.width, check.height, resize_after_decode(
                self.model.cfg.test_dataloader.dataset.pipeline),
                self.limits, check.rotation, path.name)
            entry = predict_videos(self.model, [str(path)], top_k=5,
                                   limits=self.limits)[0]
            if 'error' in entry:
                raise DanceStyleError(entry['error'])
            timeline = build_timeline(self.model, path, self.stride,
                                      self.smooth, progress=False,
                                      limits=self.limits,
                                      min_segment=self.min_segment,
                                      unsure_below=self.unsure_below,
                                      switch_penalty=self.switch_penalty)
            check_time()
            png = path.with_suffix('.png')
            try:
                plot_timeline(dict(timeline, video='your video'), png)
                data = base64.b64encode(png.read_bytes()).decode()
            finally:
                png.unlink(missing_ok=True)
        finally:
            self.lock.release()
        summary = timeline_json(timeline)
        summary.pop('video')
        return dict(top5=[dict(style=p['name'], probability=p['probability'])
                          for p in entry['predictions']],
                    reader=entry.get('reader'),
                    timeline=summary,
                    timeline_png=f'data:image/png;base64,{data}')


def _for_the_user(message: str, path: Path) -> str:
    """A reader's message without the server's file name and folders,
    which mean nothing to the user (and are the server's business)."""
    from ..readers import reencode_command
    message = message.split(': ', 1)[-1] if message.startswith(
        path.name) else message
    message = message.replace(reencode_command(path),
                              reencode_command('YOUR_VIDEO.mp4'))
    for server_name, user_name in ((str(path), 'YOUR_VIDEO.mp4'),
                                   (path.name, 'YOUR_VIDEO.mp4'),
                                   (path.stem, 'YOUR_VIDEO')):
        message = message.replace(server_name, user_name)
    return message


def make_samples(folder: Path, fps: float = 16.0) -> Dict[str, Path]:
    """Sample clips generated at start (nothing binary in git): a short
    clip of three styles each, and a 30 s video that changes style twice."""
    from ..classes import DANCE19_CLASSES
    from ..synthetic.long_video import write_long_video
    folder.mkdir(parents=True, exist_ok=True)
    samples = {}
    for label in (1, 14, 17):
        name = DANCE19_CLASSES[label]
        path = folder / f'sample_{label}.mp4'
        write_long_video(path, [label], 4.0, size=SAMPLE_SIZE, fps=fps,
                         seed=label)
        samples[f'{name} (4 s)'] = path
    path = folder / 'sample_three_styles.mp4'
    write_long_video(path, [1, 14, 17], 10.0, size=SAMPLE_SIZE, fps=fps,
                     seed=3)
    samples['three styles (30 s)'] = path
    return samples


def create_app(model, work_dir, max_mb: float = DEFAULT_MAX_MB,
               max_seconds: float = 1800, stride: float = 1.0,
               smooth: int = 3,
               samples: Optional[Dict[str, Path]] = None,
               config_name: str = '', remove_on_exit: bool = True,
               host: str = '127.0.0.1', port: int = 8000,
               allow_origins: Iterable[str] = (),
               max_waiting: int = DEFAULT_MAX_WAITING,
               request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
               max_frame: Tuple[int, int] = DEFAULT_MAX_FRAME,
               min_segment: float = 0.0, unsure_below: float = 0.0,
               switch_penalty: float = 0.0):
    """The Starlette app; ``work_dir`` is the server's own folder (its
    ``uploads/`` are emptied as requests finish; the whole folder is removed
    when the server shuts down, unless ``remove_on_exit`` is false).
    ``host`` and ``port``: the address it is served on (the Host and Origin
    headers are checked against it, and ``allow_origins``); the limits are
    described in the module's docstring."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    from ..classes import DANCE19_CLASSES
    from ..limits import format_size
    work_dir = Path(work_dir)
    uploads = work_dir / 'uploads'
    uploads.mkdir(parents=True, exist_ok=True)
    analyser = Analyser(model, work_dir, stride, smooth, max_seconds,
                        max_frame, request_timeout, min_segment, unsure_below,
                        switch_penalty)
    queue = JobQueue(max_waiting)
    hosts, origins = allowed_origins(host, port, allow_origins)
    samples = dict(samples or {})
    max_bytes = int(max_mb * 1024 * 1024)
    page = (Path(__file__).with_name('page.html').read_text()
            .replace('{{MAX_MB}}', f'{max_mb:g}'))

    def busy():
        return JSONResponse(
            dict(error=f'the server is busy ({queue.capacity} videos in '
                 'hand): try again in a moment (tools/serve.py '
                 '--max-waiting)'), status_code=503,
            headers={'Retry-After': str(queue.retry_after())})

    async def index(request: Request):
        return HTMLResponse(page)

    async def info(request: Request):
        return JSONResponse(dict(
            config=config_name, classes=list(DANCE19_CLASSES),
            # what the model was trained on, and the synthetic warning
            model=getattr(model, 'about', None) or {},
            samples=sorted(samples), max_mb=max_mb,
            max_minutes=max_seconds / 60, max_frame=format_size(max_frame),
            request_timeout=request_timeout, max_waiting=max_waiting))

    async def receive(request: Request, path: Path) -> None:
        """The body into ``path``, or UploadRefused."""
        received = 0
        with open(path, 'wb') as out:
            async for chunk in request.stream():
                received += len(chunk)
                if received > max_bytes:
                    break
                out.write(chunk)
        if received > max_bytes:
            path.unlink()
            # read (and drop) up to as much again, so that a client
            # still sending hears the answer instead of a broken pipe
            async for chunk in request.stream():
                received += len(chunk)
                if received > 2 * max_bytes:
                    break
            raise UploadRefused(
                413, f'the upload passed {max_mb:g} MB, this '
                'server\'s limit (tools/serve.py --max-mb)')
        if received == 0:
            raise UploadRefused(400, 'the upload was empty: choose a '
                                'video file first')

    def check_headers(request: Request) -> None:
        """What the headers alone refuse (nothing read, no place taken)."""
        check_type(request.headers.get('content-type', ''))
        declared = request.headers.get('content-length')
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise UploadRefused(
                413, f'the file is {int(declared) / 2**20:.1f} MB; this '
                f'server takes videos up to {max_mb:g} MB (tools/serve.py '
                '--max-mb)')

    async def predict(request: Request):
        try:
            check_headers(request)
        except UploadRefused as refused:
            return JSONResponse(dict(error=str(refused)),
                                status_code=refused.status)
        if not queue.enter():
            return busy()
        deadline = time.monotonic() + request_timeout
        path = uploads / f'{uuid.uuid4().hex}.video'  # our name, never theirs
        handed_over = False  # the worker thread leaves the queue then
        try:
            try:
                await asyncio.wait_for(receive(request, path),
                                       deadline - time.monotonic())
            except asyncio.TimeoutError:
                raise UploadRefused(
                    408, f'the upload did not arrive within '
                    f'{request_timeout:g} s (tools/serve.py '
                    '--request-timeout)') from None
            except ClientDisconnect:
                raise UploadRefused(400, 'the upload was cut off') from None
            handed_over = True
            status, result = await queue.run(analyser, path, deadline,
                                             delete=True)
        except UploadRefused as refused:
            return JSONResponse(dict(error=str(refused)),
                                status_code=refused.status)
        finally:
            path.unlink(missing_ok=True)
            if not handed_over:
                queue.leave()
        return JSONResponse(result, status_code=status)

    async def sample(request: Request):
        name = request.path_params['name']
        if name not in samples:  # a key of ours, not a path
            return JSONResponse(dict(error=f'no sample named {name!r:.80}'),
                                status_code=404)
        if not queue.enter():
            return busy()
        status, result = await queue.run(
            analyser, samples[name], time.monotonic() + request_timeout,
            delete=False)
        return JSONResponse(result, status_code=status)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # here, not in a `finally` around uvicorn.run: uvicorn re-raises
        # SIGTERM after a graceful shutdown, which ends the process first
        yield
        # a running analysis ends at its next deadline check at the latest
        queue.executor.shutdown(wait=False, cancel_futures=True)
        if remove_on_exit:
            remove_folder(work_dir)

    app = Starlette(lifespan=lifespan, routes=[
        Route('/', index),
        Route('/api/info', info),
        Route('/api/predict', predict, methods=['POST']),
        Route('/api/sample/{name:str}', sample, methods=['POST']),
    ], middleware=[Middleware(OriginGuard, hosts=hosts, origins=origins)])
    app.state.analyser = analyser
    app.state.queue = queue
    app.state.origins = origins
    return app


def remove_folder(folder: Path) -> None:
    """Delete the server's folder on shutdown (uploads, samples)."""
    shutil.rmtree(folder, ignore_errors=True)
