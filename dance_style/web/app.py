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

Uploads are checked for type (Content-Type) and size (Content-Length and
the bytes actually received) with a message for each limit, written to
``<work dir>/uploads/<random>.video`` and deleted after use. FFmpeg opens
it only with the video containers of ``readers.VIDEO_FORMATS`` and the file
protocol: an uploaded playlist (HLS, concat), which would make FFmpeg read
the paths inside it, is refused. Videos longer than ``max_seconds`` are
refused too. The model runs in a worker thread, one request at a time (a CPU
has no spare cores for two).
"""
import base64
import contextlib
import shutil
import threading
import uuid
from pathlib import Path
from typing import Dict, Optional

ACCEPTED_TYPES = ('video/', 'image/gif', 'application/octet-stream')
DEFAULT_MAX_MB = 200
SAMPLE_SIZE = (80, 80)  # as the demo's synthetic Kinetics clips


class UploadRefused(Exception):
    """An upload over a limit: HTTP status and a message for the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def check_type(content_type: str) -> None:
    """Refuse what is not a video (by the browser's Content-Type)."""
    kind = (content_type or '').split(';')[0].strip().lower()
    if kind and not kind.startswith(ACCEPTED_TYPES):
        raise UploadRefused(
            415, f'"{kind}" is not a video. Upload a video file (MP4, WebM, '
            'MKV, MOV, AVI) or an animated GIF.')


class Analyser:
    """The loaded model and what the page asks of it."""

    def __init__(self, model, folder: Path, stride: float = 1.0,
                 smooth: int = 3, max_seconds: float = 1800):
        self.model = model
        self.folder = Path(folder)
        self.stride, self.smooth = stride, smooth
        self.max_seconds = max_seconds
        self.lock = threading.Lock()

    def analyse(self, path: Path) -> Dict:
        """Top-5 styles and the timeline of ``path``; ``error`` instead when
        the file cannot be read or analysed."""
        try:
            return self._analyse(path)
        except Exception as error:  # noqa: BLE001  the page must hear of it
            first = (str(error).strip().splitlines() or [''])[0][:200]
            return dict(error=_for_the_user(
                f'the analysis failed ({type(error).__name__}: {first})',
                path))

    def _analyse(self, path: Path) -> Dict:
        from ..errors import DanceStyleError
        from ..predict import predict_videos
        from ..readers import UnreadableVideo, check_video
        from ..timeline import build_timeline, plot_timeline, timeline_json
        from ..video import probe
        with self.lock:
            try:
                check_video(path)  # the container allow-list first
            except UnreadableVideo as error:
                return dict(error=_for_the_user(str(error), path))
            seconds = probe(path).duration
            if seconds > self.max_seconds:
                return dict(error=f'the video lasts {seconds / 60:.1f} '
                            f'minutes; this server analyses up to '
                            f'{self.max_seconds / 60:g} (tools/serve.py '
                            '--max-minutes)')
            entry = predict_videos(self.model, [str(path)], top_k=5)[0]
            if 'error' in entry:
                return dict(error=_for_the_user(entry['error'], path))
            try:
                timeline = build_timeline(self.model, path, self.stride,
                                          self.smooth, progress=False)
            except DanceStyleError as error:
                return dict(error=_for_the_user(str(error), path))
            png = path.with_suffix('.png')
            try:
                plot_timeline(dict(timeline, video='your video'), png)
                data = base64.b64encode(png.read_bytes()).decode()
            finally:
                png.unlink(missing_ok=True)
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
    return message.replace(reencode_command(path),
                           reencode_command('YOUR_VIDEO.mp4')).replace(
                               str(path), 'YOUR_VIDEO.mp4')


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
               config_name: str = '', remove_on_exit: bool = True):
    """The Starlette app; ``work_dir`` is the server's own folder (its
    ``uploads/`` are emptied as requests finish; the whole folder is removed
    when the server shuts down, unless ``remove_on_exit`` is false)."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    from ..classes import DANCE19_CLASSES
    work_dir = Path(work_dir)
    uploads = work_dir / 'uploads'
    uploads.mkdir(parents=True, exist_ok=True)
    analyser = Analyser(model, work_dir, stride, smooth, max_seconds)
    samples = dict(samples or {})
    max_bytes = int(max_mb * 1024 * 1024)
    page = (Path(__file__).with_name('page.html').read_text()
            .replace('{{MAX_MB}}', f'{max_mb:g}'))

    async def index(request: Request):
        return HTMLResponse(page)

    async def info(request: Request):
        return JSONResponse(dict(config=config_name,
                                 classes=list(DANCE19_CLASSES),
                                 samples=sorted(samples), max_mb=max_mb))

    async def predict(request: Request):
        path = uploads / f'{uuid.uuid4().hex}.video'  # our name, never theirs
        try:
            check_type(request.headers.get('content-type', ''))
            declared = request.headers.get('content-length')
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise UploadRefused(
                    413, f'the file is {int(declared) / 2**20:.1f} MB; this '
                    f'server takes videos up to {max_mb:g} MB (tools/serve.py '
                    '--max-mb)')
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
            result = await run_in_threadpool(analyser.analyse, path)
        except UploadRefused as refused:
            return JSONResponse(dict(error=str(refused)),
                                status_code=refused.status)
        finally:
            path.unlink(missing_ok=True)
        return JSONResponse(result, status_code=422 if 'error' in result
                            else 200)

    async def sample(request: Request):
        name = request.path_params['name']
        if name not in samples:  # a key of ours, not a path
            return JSONResponse(dict(error=f'no sample named {name!r}'),
                                status_code=404)
        result = await run_in_threadpool(analyser.analyse, samples[name])
        return JSONResponse(result, status_code=422 if 'error' in result
                            else 200)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # here, not in a `finally` around uvicorn.run: uvicorn re-raises
        # SIGTERM after a graceful shutdown, which ends the process first
        yield
        if remove_on_exit:
            remove_folder(work_dir)

    app = Starlette(lifespan=lifespan, routes=[
        Route('/', index),
        Route('/api/info', info),
        Route('/api/predict', predict, methods=['POST']),
        Route('/api/sample/{name:str}', sample, methods=['POST']),
    ])
    app.state.analyser = analyser
    return app


def remove_folder(folder: Path) -> None:
    """Delete the server's folder on shutdown (uploads, samples)."""
    shutil.rmtree(folder, ignore_errors=True)
