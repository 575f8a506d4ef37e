"""Input written to hurt: the web page and the decoding path of predict.py
and the timeline hold it.

A 98 KB 8K clip used to take 24 GB (frames decoded at 7680x4320, then
resized); any web page could post to the local server; requests queued
without a bound. The files are generated here
(dance_style.synthetic.hostile), the decoders and the server are the real
ones, the model is the tiny test config with random weights (what it
predicts does not matter here, except in the one test that compares
predictions, which uses the trained run).
"""
import collections
import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from support import REPO, TINY_CONFIG, TINY_EPOCHS

MAX_MB = 1
# The server's peak resident memory after answering the 8K clip: measured
# 0.87 GB (the process with torch and the model loaded: 0.53 GB); the code
# before decode-to-size took 4.0 GB for one 16-frame test clip of it and
# 7.1 GB for two (24 GB for the config's eight, as the issue saw).
MAX_SERVER_RSS_GB = 2.0


def _needs_the_serve_extra():
    pytest.importorskip('starlette', reason='the "serve" extra: pip install '
                        '-e ".[serve]"')


# --- fixtures ----------------------------------------------------------------

@pytest.fixture(scope='module')
def random_checkpoint(tmp_path_factory):
    """The tiny config's model with random weights (seeded), as a state
    dict file."""
    import torch
    from mmaction.apis import init_recognizer

    from dance_style.config import load_config
    path = tmp_path_factory.mktemp('random weights') / 'random.pth'
    torch.manual_seed(0)
    model = init_recognizer(load_config(str(TINY_CONFIG)), None,
                            device='cpu')
    torch.save(model.state_dict(), path)
    return path


@pytest.fixture(scope='module')
def random_model(random_checkpoint):
    from dance_style.config import load_config
    from dance_style.predict import load_recognizer
    return load_recognizer(load_config(str(TINY_CONFIG)),
                           str(random_checkpoint))


@pytest.fixture(scope='module')
def clips(tmp_path_factory):
    """Small valid clips (64x64, 16 frames at 16 fps: one window) as .mp4,
    .gif and MJPEG .avi, a 320x240 .mp4, a 10-minute 64x64 one of one
    colour, and the issue's 8K clip (2 frames of 7680x4320, ~100 KB,
    encoded in a child process: the encoder takes 0.5 GB)."""
    from dance_style.synthetic.formats import write_encoded
    from dance_style.synthetic.hostile import write_solid_clip
    from dance_style.synthetic.render import render_clip
    folder = tmp_path_factory.mktemp('hostile clips')
    frames = render_clip(1, np.random.default_rng(0), size=(64, 64),
                         num_frames=16, fps=16.0)
    out = {}
    for kind, codec, pix_fmt in (('mp4', 'libx264', 'yuv420p'),
                                 ('gif', 'gif', 'rgb8'),
                                 ('avi', 'mjpeg', 'yuvj420p')):
        out[kind] = write_encoded(folder / f'clip.{kind}', frames, 16.0,
                                  kind, codec, pix_fmt)
    out['320x240'] = write_encoded(
        folder / 'clip 320x240.mp4',
        render_clip(1, np.random.default_rng(0), size=(240, 320),
                    num_frames=32, fps=16.0), 16.0, 'mp4', 'libx264',
        'yuv420p')
    # one frame a second for 10 minutes: 600 windows at the config's 16 fps
    out['long'] = write_solid_clip(folder / 'ten minutes.mp4', (64, 64),
                                   frames=600, fps=1.0)
    out['8k'] = folder / 'red 8k.mp4'
    subprocess.run([sys.executable, '-c', 'import sys; from dance_style.'
                    'synthetic.hostile import write_solid_clip; '
                    'write_solid_clip(sys.argv[1])', str(out['8k'])],
                   check=True, timeout=120)
    return out


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def hostile_server(random_checkpoint, tmp_path_factory):
    """tools/serve.py with the random-weight model, 1 MB uploads, no
    samples; its output in a log file."""
    _needs_the_serve_extra()
    work = tmp_path_factory.mktemp('hostile serve')
    port = _free_port()
    log = work.parent / f'{work.name}.log'
    with open(log, 'w') as out:
        proc = subprocess.Popen(
            [sys.executable, 'tools/serve.py', str(TINY_CONFIG),
             str(random_checkpoint), '--port', str(port), '--work-dir',
             str(work), '--max-mb', str(MAX_MB), '--no-samples'],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    server = dict(port=port, work=work, pid=proc.pid, log=log)
    deadline = time.time() + 300
    while True:
        try:
            if _send(server, 'GET', '/api/info')[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise AssertionError('the server did not start:\n' +
                                 log.read_text()[-3000:])
        time.sleep(0.5)
    yield server
    proc.terminate()
    proc.wait(timeout=60)
    assert not [p for p in work.rglob('*') if p.is_file()]


def _send(server, method, url, body=b'', content_type=None, headers=None,
          content_length=None):
    """(status, headers, parsed JSON or text) of one request; Host,
    Content-Type and Content-Length exactly as given (none when None)."""
    connection = http.client.HTTPConnection('127.0.0.1', server['port'],
                                            timeout=300)
    try:
        connection.putrequest(method, url, skip_host=True,
                              skip_accept_encoding=True)
        headers = dict(headers or {})
        headers.setdefault('Host', f'127.0.0.1:{server["port"]}')
        if content_type is not None:
            headers['Content-Type'] = content_type
        if method == 'POST':
            headers['Content-Length'] = str(
                len(body) if content_length is None else content_length)
        for key, value in headers.items():
            connection.putheader(key, value)
        connection.endheaders()
        if body:
            try:
                connection.send(body)
            except OSError:  # refused from the headers: the server hung up
                pass
        response = connection.getresponse()
        text = response.read().decode(errors='replace')
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return response.status, response.headers, parsed
    finally:
        connection.close()


def _uploads_left(work: Path):
    return [p for p in work.rglob('*') if p.is_file()
            and 'uploads' in p.parts]


def _peak_rss_gb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 2**20
    raise AssertionError('no VmHWM')


# --- limits, without a server ------------------------------------------------

def test_frame_size_rule_and_flag():
    import argparse

    from dance_style.limits import frame_size_problem, parse_frame_size
    cap = (7680, 4320)
    for ok in ((7680, 4320), (4320, 7680), (3840, 2160), (1, 1)):
        assert frame_size_problem(*ok, cap) is None, ok
    for over in ((7681, 4320), (8192, 4320), (7000, 5000), (30000, 30000),
                 (65535, 16), (0, 0), (64, 0)):
        assert frame_size_problem(*over, cap), over
    assert parse_frame_size('3840x2160') == (3840, 2160)
    assert parse_frame_size(' 640 X 480 ') == (640, 480)
    for bad in ('3840', '38x', '0x10', '-1x5', 'axb'):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_frame_size(bad)


def test_decode_size_is_what_the_resize_makes():
    """Decoded at decode_size, the pipeline's Resize keeps every pixel;
    nothing is scaled up in the decoder; an extreme shape is refused."""
    from mmaction.datasets.transforms import Resize

    from dance_style.readers import (VideoRefused, decode_size,
                                     decord_size)
    short64 = dict(type='Resize', scale=(-1, 64))
    cases = [((7680, 4320), short64, (114, 64)),
             ((4320, 7680), short64, (64, 114)),
             ((320, 240), short64, (85, 64)),
             ((1920, 1080), dict(type='Resize', scale=(340, 256)), (340, 191)),
             ((1920, 1080), dict(type='Resize', scale=(56, 56),
                                 keep_ratio=False), (56, 56))]
    for (w, h), step, expected in cases:
        size = decode_size(w, h, step)
        assert size == expected, (w, h, step, size)
        kwargs = {k: v for k, v in step.items() if k != 'type'}
        frame = np.random.default_rng(0).integers(
            0, 256, (size[1], size[0], 3), np.uint8)
        out = Resize(**kwargs)(dict(imgs=[frame], img_shape=frame.shape[:2],
                                    modality='RGB'))
        np.testing.assert_array_equal(out['imgs'][0], frame)
    # as large or smaller than the model's size: decoded as it is
    assert decode_size(64, 64, short64) is None
    assert decode_size(48, 40, short64) is None
    assert decode_size(640, 480, None) is None
    # a factor applies to whatever it gets: left to the Resize
    assert decode_size(1920, 1080, dict(type='Resize', scale=0.25)) is None
    # rotated 90 degrees: the pipeline sees it upright, the decoder stored
    assert decode_size(7680, 4320, dict(type='Resize', scale=(56, 64),
                                        keep_ratio=False),
                       rotation=90) == (64, 56)
    with pytest.raises(VideoRefused, match='extreme'):
        decode_size(7680, 2, short64)
    # decord's scaler returns garbage at a few widths: the next good one
    assert decord_size((48, 64)) == (50, 64)
    assert decord_size((85, 64)) == (85, 64)
    assert decord_size(None) is None


def test_probe_refuses_before_decoding(clips, tmp_path):
    """Headers that claim 30000x30000 (or 16000x16000, under FFmpeg's own
    limit) in a GIF, an MJPEG AVI and the H.264 parameter set of an MP4 are
    refused from the header, in a child process whose memory stays small;
    the 8K clip too, under a smaller cap; a long video by its duration."""
    from dance_style.limits import InputLimits
    from dance_style.readers import UnreadableVideo, VideoRefused, check_video
    from dance_style.synthetic.hostile import claim_frame_size
    claims = []
    for kind in ('gif', 'avi', 'mp4'):
        for size in ((30000, 30000), (16000, 16000)):
            path = tmp_path / f'claims {size[0]}.{kind}'
            path.write_bytes(claim_frame_size(clips[kind].read_bytes(), kind,
                                              *size))
            claims.append(str(path))
    # the SPS rewrite itself is sound: the same clip claiming its own size
    same = tmp_path / 'same size.mp4'
    same.write_bytes(claim_frame_size(clips['mp4'].read_bytes(), 'mp4', 64,
                                      64))
    assert check_video(same).width == 64
    probe = ('import json, sys\n'
             'from dance_style.readers import UnreadableVideo, check_video\n'
             'out = []\n'
             'for path in sys.argv[1:]:\n'
             '    try:\n'
             '        check_video(path)\n'
             '        out.append("read")\n'
             '    except UnreadableVideo as error:\n'
             '        out.append(type(error).__name__ + ": " + str(error))\n'
             # VmHWM: ru_maxrss would count the parent's (pytest's) memory
             # at the fork, which Linux keeps across exec
             'peak = [l for l in open("/proc/self/status")'
             ' if l.startswith("VmHWM")][0]\n'
             'print(json.dumps([out, int(peak.split()[1]) / 2**10]))\n')
    proc = subprocess.run([sys.executable, '-c', probe, *claims],
                          capture_output=True, text=True, check=True,
                          timeout=120, cwd=REPO)
    results, peak_mb = json.loads(proc.stdout.splitlines()[-1])
    for path, result in zip(claims, results):
        name = Path(path).name
        assert result.startswith(('UnreadableVideo: ' + name,
                                  'VideoRefused: ' + name)), result
        assert 'limit (--max-frame-size' in result, result
        assert '\n' not in result
    # the 16000x16000 H.264 header: 709 MB in FFmpeg's stream probe and
    # 1.6 GB at the first frame without max_pixels; measured 115 MB with it
    assert peak_mb < 400, peak_mb
    with pytest.raises(VideoRefused, match='over the 3840x2160 limit'):
        check_video(clips['8k'], InputLimits((3840, 2160)))
    with pytest.raises(VideoRefused, match='over the 5-minute limit'):
        check_video(clips['long'], InputLimits(max_seconds=300))
    with pytest.raises(UnreadableVideo):  # truncated inside its index
        from dance_style.synthetic.hostile import _tracks_end
        data = clips['mp4'].read_bytes()
        (tmp_path / 'cut.mp4').write_bytes(data[:_tracks_end(data) - 100])
        check_video(tmp_path / 'cut.mp4')


def test_decoding_at_the_model_size_keeps_the_inputs(random_model, clips):
    """The pipeline's inputs with decode-to-size against mmaction's own
    decode-then-resize: identical for a clip at the model's size (64 px),
    close for a larger one, and decord and PyAV agree."""
    from mmengine.dataset import Compose

    from dance_style.predict import pipeline_for
    from dance_style.readers import choose_reader, resize_after_decode
    steps = random_model.cfg.test_dataloader.dataset.pipeline
    resize = resize_after_decode(steps)
    assert resize['scale'] == (-1, 64)
    mmaction = Compose(list(steps))

    def inputs(pipeline, video, **extra):
        return pipeline(dict(filename=str(video), label=-1, start_index=0,
                             modality='RGB', **extra))['inputs'].float()

    choice = choose_reader(clips['mp4'], resize=resize)
    assert choice.size is None  # 64x64 already
    np.testing.assert_array_equal(
        inputs(Compose(pipeline_for(steps, 'decord')), clips['mp4']),
        inputs(mmaction, clips['mp4']))
    choice = choose_reader(clips['320x240'], resize=resize)
    assert choice.size == (85, 64) and choice.reader == 'decord'
    theirs = inputs(mmaction, clips['320x240'])
    ours = {reader: inputs(Compose(pipeline_for(steps, reader)),
                           clips['320x240'], decode_size=choice.size)
            for reader in ('decord', 'pyav')}
    # FFmpeg's scaler filters as it shrinks, the Resize after a full-size
    # decode samples bilinearly: measured 3.0 grey levels apart on
    # average, decord and PyAV 0.3 apart
    assert (ours['decord'] - theirs).abs().mean() < 5
    assert (ours['decord'] - ours['pyav']).abs().mean() < 1


@pytest.mark.slow
def test_predictions_unchanged_on_the_test_clips(trained_run):
    """The trained model's top-5 on the test clips (64x64, the model's
    size) through predict_videos equal mmaction's own pipeline's."""
    import torch
    from mmengine.dataset import Compose, pseudo_collate

    from dance_style.config import load_config
    from dance_style.predict import load_recognizer, predict_videos
    from dance_style.prep.lists import read_video_list
    data = trained_run['data']
    model = load_recognizer(load_config(str(TINY_CONFIG)), str(
        trained_run['work_dir'] / f'epoch_{TINY_EPOCHS}.pth'))
    videos = [str(data / v) for v, _ in read_video_list(
        data / 'annotations' / 'dance19_test.txt')][:4]
    mmaction = Compose(list(model.cfg.test_dataloader.dataset.pipeline))
    for entry in predict_videos(model, videos):
        packed = mmaction(dict(filename=entry['video'], label=-1,
                               start_index=0, modality='RGB'))
        with torch.no_grad():
            scores = model.test_step(pseudo_collate([packed]))[0].pred_score
        expected = scores.topk(5)
        assert [p['label'] for p in entry['predictions']] == \
            expected.indices.tolist()
        np.testing.assert_allclose(
            [p['probability'] for p in entry['predictions']],
            expected.values.tolist(), atol=1e-6)


def test_predict_and_timeline_of_the_8k_clip_under_a_cap(random_model,
                                                         clips):
    from dance_style.limits import InputLimits
    from dance_style.predict import predict_videos
    from dance_style.readers import VideoRefused
    from dance_style.timeline import build_timeline
    cap = InputLimits((3840, 2160))
    entry = predict_videos(random_model, [str(clips['8k'])], limits=cap)[0]
    assert 'over the 3840x2160 limit' in entry['error']
    with pytest.raises(VideoRefused, match='3840x2160'):
        build_timeline(random_model, clips['8k'], progress=False,
                       limits=cap)
    # within the default cap: decoded at 114x64, one window
    entry = predict_videos(random_model, [str(clips['8k'])])[0]
    assert len(entry['predictions']) == 5
    timeline = build_timeline(random_model, clips['8k'], progress=False)
    assert len(timeline['starts']) == 1


# --- the server, a process of its own ----------------------------------------

@pytest.mark.slow
def test_8k_clip_answered_in_bounded_memory(hostile_server, clips):
    status, _, body = _send(hostile_server, 'POST', '/api/predict',
                            clips['8k'].read_bytes(), 'video/mp4')
    assert status == 200 or 400 <= status < 500, (status, body)
    peak = _peak_rss_gb(hostile_server['pid'])
    assert peak < MAX_SERVER_RSS_GB, peak
    status, _, body = _send(hostile_server, 'POST', '/api/predict',
                            clips['mp4'].read_bytes(), 'video/mp4')
    assert status == 200 and len(body['top5']) == 5, body
    assert not _uploads_left(hostile_server['work'])


@pytest.mark.slow
def test_host_origin_and_content_type_are_checked(hostile_server, clips):
    port = hostile_server['port']
    video = clips['mp4'].read_bytes()
    for headers in ({'Host': f'evil.example:{port}'},
                    {'Host': 'evil.example'},
                    {'Origin': 'http://evil.example'},
                    {'Origin': f'http://evil.example:{port}'},
                    {'Origin': 'null'},
                    {'Origin': f'https://127.0.0.1:{port}'}):
        for method, url, body in (('GET', '/api/info', b''),
                                  ('POST', '/api/predict', video)):
            status, _, answer = _send(hostile_server, method, url, body,
                                      'video/mp4', headers)
            assert status == 403, (headers, url, status, answer)
            assert 'refused' in answer['error'] and \
                '--allow-origin' in answer['error']
    # the names of the loopback address, and the page's own origin
    for headers in ({'Host': f'localhost:{port}'},
                    {'Host': f'[::1]:{port}'},
                    {'Origin': f'http://localhost:{port}'},
                    {'Origin': f'http://127.0.0.1:{port}'}):
        assert _send(hostile_server, 'GET', '/api/info',
                     headers=headers)[0] == 200, headers
    status, _, answer = _send(hostile_server, 'POST', '/api/predict', video,
                              None)
    assert status == 415 and 'no Content-Type' in answer['error']
    status, _, answer = _send(hostile_server, 'POST', '/api/predict', video,
                              'text/plain')
    assert status == 415 and 'not a video' in answer['error']
    status, _, answer = _send(hostile_server, 'POST', '/api/predict', video,
                              'application/octet-stream',
                              {'Origin': f'http://127.0.0.1:{port}'})
    assert status == 200, answer
    assert not _uploads_left(hostile_server['work'])


@pytest.mark.slow
def test_fuzz_200_mutated_uploads(hostile_server, clips):
    """Each upload gets a 4xx with a one-line JSON message, or (a bit flip
    that leaves the video decodable) a full answer; never a 5xx or a
    traceback; the server answers after each, and after all a valid video
    gets its answer and the uploads folder is empty."""
    from dance_style.synthetic.hostile import mutated_uploads
    uploads = mutated_uploads({k: clips[k].read_bytes()
                               for k in ('mp4', 'gif', 'avi')}, count=200,
                              seed=0, target=str(clips['mp4']))
    assert len(uploads) == 200
    outcomes = {}
    started = time.time()
    for index, upload in enumerate(uploads):
        status, _, answer = _send(hostile_server, 'POST', '/api/predict',
                                  upload.body, upload.content_type,
                                  content_length=upload.content_length)
        what = (index, upload.kind, status, str(answer)[:300])
        assert 'Traceback' not in str(answer), what
        if status == 200:
            assert upload.kind == 'bit-flipped', what
            assert len(answer['top5']) == 5, what
        else:
            assert 400 <= status < 500, what
            assert isinstance(answer, dict) and answer['error'], what
            assert '\n' not in answer['error'], what
            assert str(hostile_server['work']) not in answer['error'], what
        outcomes.setdefault(upload.kind, []).append(status)
        assert _send(hostile_server, 'GET', '/api/info')[0] == 200, what
    print({kind: dict(collections.Counter(s)) for kind, s in
           outcomes.items()}, f'{time.time() - started:.1f} s')
    assert set(outcomes['truncated']) == {422}
    assert set(outcomes['zero-length']) == {400}
    assert set(outcomes['claims 30000x30000']) <= {413, 422}
    assert set(outcomes['playlist']) == {422}
    assert set(outcomes['wrong type']) == set(outcomes['no type']) == {415}
    assert set(outcomes['disguised']) == {422}
    assert set(outcomes['huge length']) == {413}
    status, _, answer = _send(hostile_server, 'POST', '/api/predict',
                              clips['mp4'].read_bytes(), 'video/mp4')
    assert status == 200, answer
    assert not _uploads_left(hostile_server['work'])
    assert 'Traceback' not in hostile_server['log'].read_text()


# --- the queue and the time limit: the app in this process -------------------

@pytest.fixture
def app_server(random_model, tmp_path):
    """A function that serves ``create_app(random_model, **options)`` with
    uvicorn in a thread of this process (the tests hold the analyser's lock
    to keep it busy); stopped after the test."""
    _needs_the_serve_extra()
    import uvicorn

    from dance_style.web.app import create_app
    running = []

    def serve(**options):
        port = _free_port()
        app = create_app(random_model, tmp_path / 'work', port=port,
                         max_mb=MAX_MB, **options)
        server = uvicorn.Server(uvicorn.Config(
            app, host='127.0.0.1', port=port, log_level='warning'))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        deadline = time.time() + 30
        while not server.started:
            assert time.time() < deadline, 'uvicorn did not start'
            time.sleep(0.05)
        return dict(port=port, work=tmp_path / 'work', app=app)
    yield serve
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=60)


def _post_in_thread(server, body, results):
    def post():
        started = time.monotonic()
        status, headers, answer = _send(server, 'POST', '/api/predict', body,
                                        'video/mp4')
        results.append((status, headers, answer, time.monotonic() - started))
    thread = threading.Thread(target=post)
    thread.start()
    return thread


def test_queue_is_bounded_503_with_retry_after(app_server, clips):
    server = app_server(max_waiting=2, request_timeout=60)
    queue = server['app'].state.queue
    lock = server['app'].state.analyser.lock
    video = clips['mp4'].read_bytes()
    results = []
    with lock:  # the analysis "in progress": every request waits
        threads = [_post_in_thread(server, video, results) for _ in range(3)]
        deadline = time.time() + 30
        while queue.inside < 3:
            assert time.time() < deadline, queue.inside
            time.sleep(0.05)
        status, headers, answer = _send(server, 'POST', '/api/predict', video,
                                        'video/mp4')
        assert status == 503 and 'busy' in answer['error'], answer
        assert int(headers['Retry-After']) >= 1
        assert not results  # the three still wait
    for thread in threads:
        thread.join(timeout=120)
    assert [r[0] for r in results] == [200, 200, 200], results
    assert queue.inside == 0
    assert not _uploads_left(server['work'])


def test_time_limit_504_and_the_queue_moves_on(app_server, clips):
    """A request past its deadline gets 504 at the deadline, waiting or
    analysing; the analysis it started stops at its next frame, and the
    next request is answered."""
    server = app_server(max_waiting=2, request_timeout=2)
    queue = server['app'].state.queue
    lock = server['app'].state.analyser.lock
    results = []
    with lock:  # waiting past the deadline
        _post_in_thread(server, clips['mp4'].read_bytes(), results).join(30)
    status, _, answer, seconds = results.pop()
    assert status == 504 and '--request-timeout' in answer['error'], answer
    assert 1.9 < seconds < 3.5, seconds
    # a 10-minute video: 600 windows take longer than 2 s
    _post_in_thread(server, clips['long'].read_bytes(), results).join(30)
    status, _, answer, seconds = results.pop()
    assert status == 504, answer
    assert seconds < 3.5, seconds
    started = time.monotonic()
    status, _, answer = _send(server, 'POST', '/api/predict',
                              clips['mp4'].read_bytes(), 'video/mp4')
    assert status == 200, answer
    assert time.monotonic() - started < 2, 'the timed-out job kept the lock'
    deadline = time.time() + 10
    while queue.inside:
        assert time.time() < deadline, queue.inside
        time.sleep(0.05)
    assert not _uploads_left(server['work'])


def test_origins_of_the_served_address():
    from dance_style.web.app import OriginGuard, allowed_origins
    hosts, origins = allowed_origins('127.0.0.1', 8000,
                                     ['http://MyBox.local:8000/',
                                      'https://dance.example:443'])
    assert {'127.0.0.1:8000', 'localhost:8000', '[::1]:8000',
            'mybox.local:8000', 'dance.example'} <= hosts
    assert {'http://localhost:8000', 'http://mybox.local:8000',
            'https://dance.example'} <= origins
    guard = OriginGuard(None, hosts, origins)
    assert guard.problem('localhost:8000', None) is None
    assert guard.problem('dance.example', 'https://dance.example') is None
    assert guard.problem('localhost:8000', 'http://localhost:8001')
    assert guard.problem('localhost:8001', None)
    assert guard.problem(None, None)
    hosts, _ = allowed_origins('192.168.1.5', 80)
    assert hosts == {'192.168.1.5:80', '192.168.1.5'}
    # every interface: the loopback names and the address as printed
    hosts, _ = allowed_origins('0.0.0.0', 8000)
    assert {'0.0.0.0:8000', '127.0.0.1:8000', '[::1]:8000'} <= hosts
    with pytest.raises(ValueError, match='scheme://host'):
        allowed_origins('127.0.0.1', 8000, ['http://x.example/path'])
