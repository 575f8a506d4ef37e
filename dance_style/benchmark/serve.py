"""The web page under load (``tools/benchmark.py --what serve``).

A real ``tools/serve.py`` process (uvicorn) on 127.0.0.1, a free port and a
folder of its own, serving the config's model with random weights (the cost
of an analysis does not depend on them, so no trained checkpoint is needed).
For each number of ``--clients``, a fresh server and that many client
threads which, for ``--duration`` seconds, each upload a synthetic clip of
10 to 60 s (``--clip-seconds``) as a browser does (``Content-Type``,
``Host``, ``Origin``) and wait for the answer; a refused client (503) waits
the ``Retry-After`` the server sends, at most :data:`RETRY_CAP` s, and asks
again. No new request starts after ``--duration`` or after
``--max-requests``; every request's socket operations time out after the
server's ``--request-timeout`` + :data:`CLIENT_SLACK` s, so nothing waits
for ever.

Measured per run: answers by HTTP status (200 and 503 are the expected
ones), requests lost (connection errors) or hung (client time-outs),
latency (p50/p95, all and per status), the server's resident memory
(``/proc/<pid>/status`` VmRSS of the server and its children, sampled every
:data:`SAMPLE_SECONDS` s: idle with the model loaded, and the peak under
load; VmHWM, the kernel's high-water mark, includes loading the model),
whether its ``uploads/`` folder is empty once every client has its answer,
and whether it stops cleanly and removes its folder.

Why memory stays bounded whatever the number of clients
(:func:`memory_bound`): one analysis runs at a time; at most ``1 +
max_waiting`` uploads are accepted, and they stream to disk; every other
request is refused with 503 before its body is read.
"""
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..resources import REPO_ROOT, shown

CLIP_SIZE = (180, 320)  # height, width: a phone clip scaled down (cheap)
CLIP_FPS = 30.0  # as phones record
SEGMENT_SECONDS = 5.0  # one style per segment; rendering holds one in memory
RETRY_CAP = 5.0  # s: a refused client asks again within this, so the queue
# stays full for the whole run (a user honours the whole Retry-After)
CLIENT_SLACK = 30.0  # s beyond the server's --request-timeout
SAMPLE_SECONDS = 0.1  # RSS sampling period
START_TIMEOUT = 300.0  # s for the server to answer its first request
# uvicorn reads at most this much of a request's body ahead of the app
# before it pauses the socket (uvicorn.protocols.http.flow_control
# HIGH_WATER_LIMIT, 64 KiB), and drops the body of a request already answered
# as it arrives: with the connection's own objects, 128 KiB per open
# connection is generous
PER_CONNECTION_MB = 0.125
MB = 2 ** 20


def write_clips(folder: Path, seconds: Sequence[float],
                size=CLIP_SIZE, fps: float = CLIP_FPS) -> List[Path]:
    """One H.264 clip per length in ``seconds``, styles changing every
    :data:`SEGMENT_SECONDS`; kept in ``folder`` for the next run."""
    from ..synthetic.long_video import write_long_video
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, length in enumerate(seconds):
        path = folder / f'clip_{length:g}s_{size[1]}x{size[0]}_{fps:g}fps.mp4'
        if not path.is_file():
            segments = max(1, round(length / SEGMENT_SECONDS))
            started = time.perf_counter()
            # styles 0, 5, 10, ...: a new dance every segment
            write_long_video(path, [5 * i % 19 for i in range(segments)],
                             length / segments, size=size, fps=fps,
                             seed=index)
            print(f'{path}: written in {time.perf_counter() - started:.0f} s',
                  file=sys.stderr, flush=True)
        paths.append(path)
    return paths


def random_checkpoint(config: str, path: Path) -> Path:
    """A checkpoint of ``config``'s model with seeded random weights, written
    by a fresh process (the model's memory goes with it); kept."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, '-m', __name__, 'checkpoint', config,
                        str(path)], check=True, cwd=REPO_ROOT)
    return path


def _write_checkpoint(config: str, path: str) -> None:
    import torch
    from mmaction.apis import init_recognizer

    from ..config import load_config
    from ..fileio import atomic_path
    from ..register import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    model = init_recognizer(load_config(config), None, device='cpu')
    with atomic_path(path) as tmp:
        torch.save(dict(state_dict=model.state_dict(),
                        meta=dict(note='random weights, for benchmarks')),
                   tmp)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f'/proc/{current}/status').read_text()
            for task in Path(f'/proc/{current}/task').iterdir():
                todo += [int(c) for c in
                         (task / 'children').read_text().split()]
        except (OSError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith('VmRSS:'):
                total += int(line.split()[1]) * 1024
    return total


def _high_water(pid: int) -> Optional[int]:
    """The kernel's peak RSS of ``pid`` since it started (VmHWM)."""
    try:
        for line in Path(f'/proc/{pid}/status').read_text().splitlines():
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class _Sampler(threading.Thread):
    """The server's RSS every :data:`SAMPLE_SECONDS` s; ``peak`` since
    started."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, _tree_rss(pid), 1
        self.halt = threading.Event()

    def run(self):
        while not self.halt.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, _tree_rss(self.pid))
            self.samples += 1


def percentiles(values: Sequence[float]) -> Dict:
    """p50, p95 (linear between order statistics) and max, in seconds."""
    if not values:
        return dict(count=0, p50=None, p95=None, max=None)
    ordered = sorted(values)

    def at(q):
        position = q * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (
            position - low)
    return dict(count=len(ordered), p50=round(at(0.5), 2),
                p95=round(at(0.95), 2), max=round(ordered[-1], 2))


class Server:
    """``tools/serve.py`` as a subprocess; its log in ``folder/server.log``."""

    def __init__(self, config: str, checkpoint: Path, folder: Path,
                 max_waiting: int, request_timeout: float):
        self.port = _free_port()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / 'server.log'
        command = [sys.executable, 'tools/serve.py', config, str(checkpoint),
                   '--port', str(self.port), '--work-dir',
                   str(folder / 'work'), '--no-samples', '--max-waiting',
                   str(max_waiting), '--request-timeout',
                   f'{request_timeout:g}']
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log,
                                         stderr=subprocess.STDOUT)
        self.origin = f'http://127.0.0.1:{self.port}'

    def wait_ready(self) -> Dict:
        """GET /api/info until it answers; its JSON."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                connection = http.client.HTTPConnection('127.0.0.1',
                                                        self.port, timeout=10)
                connection.request('GET', '/api/info')
                response = connection.getresponse()
                if response.status == 200:
                    return json.loads(response.read())
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError('the server did not start:\n' +
                                   self.log.read_text()[-3000:])
            time.sleep(0.5)

    def uploads(self) -> List[Path]:
        return sorted(p for p in self.folder.glob('work/*/uploads/*'))

    def stop(self) -> Dict:
        """SIGINT (Ctrl-C), as a user stops it; SIGKILL after 60 s."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=60)
            clean = True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code, clean = self.proc.wait(), False
        return dict(stopped_cleanly=clean, exit_code=code,
                    stop_seconds=round(time.monotonic() - started, 2),
                    folder_removed=not any((self.folder / 'work').glob('*')))


def _client(origin: str, clips: List[bytes], rng: random.Random, end: float,
            budget: Dict, timeout: float, records: list) -> None:
    """Upload random clips until ``end`` or the shared ``budget`` is spent;
    one record per request."""
    host = origin.split('//', 1)[1]
    while time.monotonic() < end:
        with budget['lock']:
            if budget['left'] <= 0:
                return
            budget['left'] -= 1
        body = rng.choice(clips)
        started = time.monotonic()
        record, retry = dict(mb=round(len(body) / MB, 2)), None
        connection = http.client.HTTPConnection(host, timeout=timeout)
        try:
            connection.request('POST', '/api/predict', body=body, headers={
                'Content-Type': 'video/mp4', 'Origin': origin})
        except (BrokenPipeError, ConnectionResetError):
            pass  # answered before the body was sent: read the answer
        except socket.timeout:
            record.update(outcome='hung')
        except OSError as error:
            record.update(outcome='lost', error=type(error).__name__)
        if 'outcome' not in record:
            try:
                response = connection.getresponse()
                answer = response.read()
                record.update(outcome='answered', status=response.status)
                if response.status == 200:
                    record['top5'] = len(json.loads(answer).get('top5', []))
                retry = response.getheader('Retry-After')
            except socket.timeout:
                record.update(outcome='hung')
            except (OSError, http.client.HTTPException, ValueError) as error:
                record.update(outcome='lost', error=type(error).__name__)
        connection.close()
        record['seconds'] = time.monotonic() - started
        records.append(record)
        if record.get('status') == 503:
            try:
                wait = min(float(retry), RETRY_CAP)
            except (TypeError, ValueError):
                wait = RETRY_CAP
            time.sleep(max(0.0, min(wait * rng.uniform(0.5, 1.0),
                                    end - time.monotonic())))


def load_run(config: str, checkpoint: Path, clips: List[Path], clients: int,
             duration: float, max_waiting: int, request_timeout: float,
             max_requests: int, folder: Path, seed: int = 0) -> Dict:
    """One server, ``clients`` clients for ``duration`` s; the figures."""
    server = Server(config, checkpoint, folder, max_waiting, request_timeout)
    try:
        info = server.wait_ready()
        time.sleep(2.0)  # settle after loading the model
        idle = _tree_rss(server.proc.pid)
        bodies = [path.read_bytes() for path in clips]
        sampler = _Sampler(server.proc.pid)
        sampler.start()
        records: list = []
        budget = dict(lock=threading.Lock(), left=max_requests)
        started = time.monotonic()
        end = started + duration
        threads = [threading.Thread(
            target=_client, args=(server.origin, bodies,
                                  random.Random(seed * 1000 + index), end,
                                  budget, request_timeout + CLIENT_SLACK,
                                  records), daemon=True)
            for index in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        uploads_left = server.uploads()
        sampler.halt.set()
        sampler.join()
        high_water = _high_water(server.proc.pid)
    finally:
        stopped = server.stop()
    statuses: Dict[str, int] = {}
    for record in records:
        if record['outcome'] == 'answered':
            key = str(record['status'])
            statuses[key] = statuses.get(key, 0) + 1
    outcomes = {kind: sum(r['outcome'] == kind for r in records)
                for kind in ('answered', 'lost', 'hung')}
    latency = dict(all=percentiles([r['seconds'] for r in records]))
    for key in sorted(statuses):
        latency[key] = percentiles([r['seconds'] for r in records
                                    if str(r.get('status')) == key])
    return dict(
        clients=clients, duration_s=duration, wall_s=round(wall, 1),
        requests=len(records), statuses=statuses,
        answered_200_or_503=statuses.get('200', 0) + statuses.get('503', 0),
        other_status=sum(v for k, v in statuses.items()
                         if k not in ('200', '503')),
        lost=outcomes['lost'], hung=outcomes['hung'],
        errors=sorted({r['error'] for r in records if 'error' in r}),
        top5_in_every_200=all(r.get('top5') == 5 for r in records
                              if r.get('status') == 200),
        latency_s=latency,
        uploaded_mb=round(sum(r['mb'] for r in records), 1),
        rss_idle_mb=round(idle / MB, 1),
        rss_peak_mb=round(sampler.peak / MB, 1),
        rss_growth_mb=round((sampler.peak - idle) / MB, 1),
        vmhwm_mb=None if high_water is None else round(high_water / MB, 1),
        rss_samples=sampler.samples,
        uploads_left=len(uploads_left),
        uploads_empty=not uploads_left,
        server_limits=dict(max_waiting=info['max_waiting'],
                           request_timeout=info['request_timeout'],
                           max_mb=info['max_mb']),
        **stopped)


def memory_bound(runs: Sequence[Dict], max_waiting: int) -> Dict:
    """The bound on the server's peak RSS under the most clients: idle RSS
    (model loaded) + ``(1 + max_waiting)`` x A + open connections x
    :data:`PER_CONNECTION_MB`, where A, one analysis, is the growth over
    idle measured in the run with the fewest clients. ``one_analysis_mb``
    is the same with A once: what the peak is when freed memory is reused
    across the worker threads."""
    fewest = min(runs, key=lambda run: run['clients'])
    most = max(runs, key=lambda run: run['clients'])
    analysis = max(fewest['rss_growth_mb'], 0.0)
    places = 1 + max_waiting

    def bound(analyses):
        return round(most['rss_idle_mb'] + analyses * analysis +
                     most['clients'] * PER_CONNECTION_MB, 1)
    return dict(
        rule=f'idle RSS + (1 + max_waiting) x A + clients x '
        f'{PER_CONNECTION_MB * 1024:g} KiB',
        clients=most['clients'], max_waiting=max_waiting,
        analysis_mb=analysis,
        analysis_from=f'the {fewest["clients"]}-client run: peak - idle',
        bound_mb=bound(places), one_analysis_mb=bound(1),
        peak_mb=most['rss_peak_mb'],
        within_bound=most['rss_peak_mb'] <= bound(places),
        within_one_analysis=most['rss_peak_mb'] <= bound(1),
        why=[
            'one analysis at a time (the analyser\'s lock): frames decoded '
            'at the model\'s size, one timeline window buffered, the '
            'model\'s activations; none of it depends on the clients',
            f'at most 1 + max_waiting = {places} uploads accepted; each '
            'streams to disk in chunks (the disk holds at most '
            f'{places} x max_mb); a waiting one holds no frames',
            'every other request gets 503 before its body is read; uvicorn '
            'drops the rest of its body as it arrives',
            'per open connection: at most 64 KiB of unread body '
            '(uvicorn\'s flow control) and the connection\'s objects',
            f'(1 + max_waiting) x A: the queue\'s {places} worker threads '
            'take turns at the analyses, and glibc gives each thread its '
            'own malloc arena, which may keep the memory an analysis freed '
            '(MALLOC_ARENA_MAX=1 in the environment: one arena for all)'])


def measure_serve(config: str, clients: Sequence[int] = (20, 6, 2),
                  duration: float = 120.0,
                  clip_seconds: Sequence[float] = (10, 20, 30, 40, 50, 60),
                  max_waiting: Optional[int] = None,
                  request_timeout: Optional[float] = None,
                  max_requests: int = 1000, seed: int = 0,
                  folder: Path = Path('work_dirs/benchmark_serve')) -> Dict:
    """A load run per entry of ``clients``, each with a fresh server; the
    figures of the run record (the record adds command, commit, date and
    machine)."""
    from ..web.app import DEFAULT_MAX_WAITING, DEFAULT_REQUEST_TIMEOUT
    max_waiting = DEFAULT_MAX_WAITING if max_waiting is None else max_waiting
    request_timeout = request_timeout or DEFAULT_REQUEST_TIMEOUT
    folder = Path(folder)
    clips = write_clips(folder / 'clips', clip_seconds)
    checkpoint = random_checkpoint(
        config, folder / f'random_{Path(config).stem}.pth')
    load_before = os.getloadavg()
    runs = []
    for count in clients:
        print(f'{count} clients for {duration:g} s ...', file=sys.stderr,
              flush=True)
        run = load_run(config, checkpoint, clips, count, duration,
                       max_waiting, request_timeout, max_requests,
                       folder / f'server_{count}_clients', seed)
        print(f'  {run["statuses"]}, lost {run["lost"]}, hung '
              f'{run["hung"]}, peak RSS {run["rss_peak_mb"]} MB',
              file=sys.stderr, flush=True)
        runs.append(run)
    result = dict(
        # the machine is shared: what else ran says how far to trust the
        # latencies (the record's machine and probe say what it is)
        load_average_before=[round(v, 2) for v in load_before],
        load_average_after=[round(v, 2) for v in os.getloadavg()],
        # what changes the server's memory without a flag
        environment={k: v for k, v in os.environ.items()
                     if k.startswith('MALLOC_') or k in (
                         'OMP_NUM_THREADS', 'MKL_NUM_THREADS')},
        config=shown(config), weights='random (seeded; the cost of an '
        'analysis does not depend on them)',
        clips=[dict(seconds=s, mb=round(p.stat().st_size / MB, 1),
                    size=f'{CLIP_SIZE[1]}x{CLIP_SIZE[0]}', fps=CLIP_FPS)
               for s, p in zip(clip_seconds, clips)],
        retry_cap_s=RETRY_CAP, client_timeout_s=request_timeout +
        CLIENT_SLACK, max_requests=max_requests, runs=runs)
    if len(runs) > 1:
        most = max(runs, key=lambda run: run['clients'])
        fewest = min(runs, key=lambda run: run['clients'])
        result['peak_rss_ratio_most_to_fewest_clients'] = round(
            most['rss_peak_mb'] / fewest['rss_peak_mb'], 3)
        result['peak_rss_ratio_to_most_clients'] = {
            str(run['clients']): round(
                run['rss_peak_mb'] / most['rss_peak_mb'], 3) for run in runs}
    result['memory_bound'] = memory_bound(runs, max_waiting)
    return result


def _pair(figures: Optional[Dict]) -> str:
    if not figures or not figures.get('count'):
        return '-'
    return f'{figures["p50"]:g} / {figures["p95"]:g}'


def _command(record: Dict) -> str:
    """The command line with the environment it ran in."""
    return ''.join(f'{k}={v} ' for k, v in record['figures'].get(
        'environment', {}).items()) + record['command']


def _table(runs: Sequence[Dict]) -> List[str]:
    lines = ['| clients | s | requests | 200 | 503 | other | lost | hung | '
             'p50 / p95 s, all | 200 | 503 | MB sent | idle RSS MB | '
             'peak RSS MB | uploads left | stopped cleanly |',
             '|' + '---:|' * 16]
    for run in runs:
        latency, statuses = run['latency_s'], run['statuses']
        lines.append(
            f'| {run["clients"]} | {run["duration_s"]:g} | '
            f'{run["requests"]} | {statuses.get("200", 0)} | '
            f'{statuses.get("503", 0)} | {run["other_status"]} | '
            f'{run["lost"]} | {run["hung"]} | {_pair(latency["all"])} | '
            f'{_pair(latency.get("200"))} | {_pair(latency.get("503"))} | '
            f'{run["uploaded_mb"]:g} | '
            f'{run["rss_idle_mb"]:g} | {run["rss_peak_mb"]:g} | '
            f'{run["uploads_left"]} | '
            f'{"yes" if run["stopped_cleanly"] else "no"} |')
    return lines


def _load(record: Dict) -> str:
    figures = record['figures']
    # the records moved from docs/benchmarks/ held them under "machine"
    held = figures if 'load_average_before' in figures else record['machine']
    return (f'load average {held["load_average_before"][0]:g} before, '
            f'{held["load_average_after"][0]:g} after')


def _machine(record: Dict) -> str:
    machine = record['machine']
    text = f'{machine["cpu"]}, {machine["cores"]} cores'
    probe = record.get('probe')
    if probe:  # what the latencies scale by on another machine
        text += (f' (CPU probe: {probe["gflops_1_thread"]:g} GFLOP/s on one '
                 f'thread, {probe["gflops_all_threads"]:g} on '
                 f'{probe["threads"]})')
    return text


def _link(name: str) -> str:
    """A link from docs/ to the record ``name``."""
    return f'[results/{name}.json](results/{name}.json)'


def render_markdown(name: str, record: Dict,
                    others: Sequence[Tuple[str, Dict]] = ()) -> str:
    """docs/serve_load.md's ``serve-load`` block
    (:mod:`dance_style.render_blocks`): the run record ``name`` of ``--what
    serve`` and ``others``, (name, record) of further runs; every figure
    comes from the records, none is typed by hand."""
    figures = record['figures']
    bound = figures['memory_bound']
    clips = ', '.join(f'{c["seconds"]:g} s ({c["mb"]:g} MB)'
                      for c in figures['clips'])
    first = figures['clips'][0]
    limits = figures['runs'][0]['server_limits']
    lines = [
        f'`{_command(record)}` (commit {record["commit"]}, '
        f'{record["date"]}); the record: {_link(name)}.',
        '',
        f'A real `tools/serve.py` process (uvicorn) on 127.0.0.1 serving '
        f'`{figures["config"]}`, weights {figures["weights"]}, '
        f'`--max-waiting {limits["max_waiting"]}`, `--request-timeout '
        f'{limits["request_timeout"]:g}`, `--max-mb {limits["max_mb"]:g}`; '
        'a fresh server for each number of clients. Each client uploads a '
        f'random clip ({first["size"]}, {first["fps"]:g} fps, H.264: '
        f'{clips}) as a browser does and waits for the answer; after a 503 '
        f'it waits the `Retry-After`, at most {figures["retry_cap_s"]:g} s, '
        'and asks again. No request starts after the run\'s duration '
        '(the runs\' wall time includes the answers still due then); the '
        'clients give up on a socket after '
        f'{figures["client_timeout_s"]:g} s (none did if "hung" is 0). '
        'Latency is from the first byte sent to the last received; RSS is '
        'the server\'s (with its children), sampled every '
        f'{SAMPLE_SECONDS:g} s; "uploads left": files in the server\'s '
        '`uploads/` once every client had its answer; "MB sent": the bodies '
        'of all requests, refused ones included (uvicorn reads and drops '
        'the body of a request answered before it was read).',
        '',
        f'Machine: {_machine(record)}, **shared** with other work during the '
        f'run ({_load(record)}): the latencies are this machine\'s on that '
        'day; the counts and the memory are what the figures are for.',
        '',
        *_table(figures['runs']),
        '', '## Memory', '']
    ratios = figures.get('peak_rss_ratio_to_most_clients')
    if ratios:
        lines += ['Peak RSS of each run over that of the '
                  f'{bound["clients"]}-client run: ' + ', '.join(
                      f'{clients} clients **{ratio:g}**'
                      for clients, ratio in ratios.items()
                      if int(clients) != bound['clients']) + '.', '']
    lines += [
        f'The bound, with {bound["clients"]} clients: **{bound["rule"]}** = '
        f'{bound["bound_mb"]:g} MB, where A = {bound["analysis_mb"]:g} MB, '
        f'one analysis ({bound["analysis_from"]}). Measured peak: '
        f'{bound["peak_mb"]:g} MB, '
        f'{"within" if bound["within_bound"] else "**over**"} the bound; '
        f'with A once ({bound["one_analysis_mb"]:g} MB) it is '
        f'{"within" if bound["within_one_analysis"] else "over"}. The '
        'number of clients enters only through their connections. Why:',
        '']
    lines += [f'- {reason}' for reason in bound['why']]
    for other_name, other in others:
        lines += ['', f'## `{_command(other)}`', '',
                  f'Commit {other["commit"]}, {other["date"]}, '
                  f'{_load(other)}; the record: {_link(other_name)}.', '',
                  *_table(other['figures']['runs'])]
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    if sys.argv[1:2] == ['checkpoint'] and len(sys.argv) == 4:
        _write_checkpoint(*sys.argv[2:4])
    else:
        sys.exit('usage: python -m dance_style.benchmark.serve '
                 'checkpoint CONFIG OUT')
