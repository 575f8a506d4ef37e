"""CPU inference paths for one test view of a model, side by side in one
process: float32 eager (stock mmaction2, what predict, the timeline and the
page ran before issue 29), channels-last memory, bfloat16 autocast, the
backbone's weights in bfloat16 with lean activations (``bf16_weights``,
:mod:`dance_style.lean_inference`: what ``--precision auto`` runs where its
check passes), ``torch.compile`` and ONNX Runtime (the file
``tools/export.py`` writes).

For each path: seconds per view (the median of the timed repeats, after
warm-up; compilation and export are timed apart), GFLOP/s from the view's
counted FLOPs, the share of the CPU's peak, and how far its class scores are
from float32 eager's on the same clip. A path is *right* when its scores are
within :data:`TOLERANCE` of float32 eager's and its top-1 class is the same.

Used by ``tools/benchmark.py --what paths CONFIG [CONFIG ...]``. The models
are built with the config's initialisation (no checkpoint is read): speed
does not depend on the weights, and the scores compared are those of the
same weights on every path.
"""
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import torch

from ..errors import DanceStyleError

PATHS = ('fp32', 'channels_last', 'bf16', 'bf16_weights', 'compile',
         'onnxruntime')

# How far a path's scores may be from float32 eager's, as the largest
# difference of log-probabilities (logits less their log-sum-exp) divided
# by the spread of float32's log-probabilities (max - min over the
# classes), and the top-1 class the same. A float32 path reorders sums
# only: 1e-3 leaves it three orders of magnitude. bfloat16 keeps 8 bits of
# mantissa (relative steps of 2**-8 = 0.4 %), and an error that size per
# layer must not add up to more than 2 % of the spread.
TOLERANCE = {'fp32': 1e-3, 'bf16': 2e-2}


def flops_per_cycle() -> Optional[int]:
    """float32 FLOPs one core can issue per cycle (2 per FMA lane), by CPU
    family: AMD Zen 2-4 have two 256-bit FMA pipes (AVX-512 runs on them
    in two halves): 2 x 8 x 2 = 32; Zen 5 and Intel's AVX-512 server cores
    two 512-bit ones: 64; other AVX2 cores 32. None where unknown."""
    from ..precision import cpu_flags
    flags = cpu_flags()
    info = Path('/proc/cpuinfo').read_text() if Path(
        '/proc/cpuinfo').exists() else ''
    vendor = family = None
    for line in info.splitlines():
        key, _, value = line.partition(':')
        key, value = key.strip(), value.strip()
        if key == 'vendor_id' and vendor is None:
            vendor = value
        elif key == 'cpu family' and family is None:
            family = int(value) if value.isdigit() else None
    if vendor == 'AuthenticAMD' and family is not None:
        return 64 if family >= 26 else 32
    if vendor == 'GenuineIntel' and 'avx512f' in flags:
        return 64
    if 'avx2' in flags and 'fma' in flags:
        return 32
    return None


def cpu_clock_ghz() -> Optional[float]:
    """The clock the kernel reports (/proc/cpuinfo's 'cpu MHz'): on a VM the
    nominal one, which a boosting core can exceed."""
    path = Path('/proc/cpuinfo')
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith('cpu MHz'):
            return round(float(line.split(':')[1]) / 1000, 3)
    return None


def matmul_gflops(size: int = 2048, seconds: float = 2.0) -> float:
    """The float32 rate a large matrix product reaches on every thread:
    what the machine delivers to the best-tuned kernel there is."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        torch.mm(a, b)
        done += 1
    return round(done * 2 * size**3 / (time.perf_counter() - start) / 1e9, 1)


def cpu_peak() -> Dict:
    """The float32 peak the shares are of: cores x FLOPs per cycle x the
    reported clock (the stated peak), or the large matrix product's rate
    where that is higher (a core boosting past its reported clock); both
    are kept."""
    threads = torch.get_num_threads()
    per_cycle, ghz = flops_per_cycle(), cpu_clock_ghz()
    stated = (round(threads * per_cycle * ghz, 1)
              if per_cycle and ghz else None)
    measured = matmul_gflops()
    return dict(threads=threads, flops_per_cycle=per_cycle, clock_ghz=ghz,
                stated_gflops=stated, matmul_gflops=measured,
                peak_gflops=max(filter(None, (stated, measured))))


def log_probs(probs: torch.Tensor) -> torch.Tensor:
    return probs.double().clamp_min(1e-30).log()


def deviation(probs: torch.Tensor, reference: torch.Tensor) -> Dict:
    """How far ``probs`` are from ``reference`` (one view's class
    probabilities): the largest log-probability difference over the
    reference's spread, and whether the top-1 class agrees."""
    ours, theirs = log_probs(probs), log_probs(reference)
    spread = float(theirs.max() - theirs.min()) or 1.0
    return dict(relative=float((ours - theirs).abs().max()) / spread,
                same_top1=bool(probs.argmax(-1).eq(reference.argmax(-1))
                               .all()))


def is_right(path: str, dev: Dict) -> bool:
    bar = TOLERANCE['bf16' if path.startswith('bf16') else 'fp32']
    return dev['same_top1'] and dev['relative'] <= bar


def time_in_turns(runs: Dict[str, Callable[[], torch.Tensor]],
                  repeats: int, warmup: int) -> Dict[str, Dict]:
    """Seconds per call of each of ``runs`` (one view each): ``warmup``
    untimed calls each, then ``repeats`` rounds that call every run once,
    in turns, so that a slower minute of a shared machine falls on all of
    them alike; per run the median and the fastest of its timed calls,
    and its output."""
    outs = {}
    for name, run in runs.items():
        for _ in range(warmup):
            outs[name] = run()
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            outs[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: dict(seconds=statistics.median(times[name]),
                       min_seconds=min(times[name]), repeats=repeats,
                       out=outs[name]) for name in runs}


def _onnx_runner(classifier, clip: torch.Tensor, folder: Path):
    """Export ``classifier`` as tools/export.py does and return a function
    that runs it in ONNX Runtime on every thread torch uses, with the
    export's seconds."""
    import onnxruntime

    from ..export import export
    path = folder / 'model.onnx'
    start = time.perf_counter()
    export(classifier, clip, 'onnx', str(path))
    exported = time.perf_counter() - start
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    # its threads would otherwise spin on the cores after each call, and
    # slow whichever path runs next in turn
    options.add_session_config_entry('session.intra_op.allow_spinning', '0')
    session = onnxruntime.InferenceSession(
        str(path), options, providers=['CPUExecutionProvider'])
    array = clip.numpy()

    def run():
        return torch.from_numpy(session.run(None, {'clips': array})[0])

    return run, exported


def path_runner(path: str, classifier, clip: torch.Tensor,
                folder: Path) -> Dict:
    """A function computing ``classifier(clip)`` the way ``path`` does, and
    the seconds spent preparing it (the ONNX export; the first, compiling
    call of torch.compile), which a one-off prediction pays too."""
    if path == 'onnxruntime':
        run, prepared = _onnx_runner(classifier, clip, folder)
        return dict(run=run, prepare_seconds=round(prepared, 1))
    model, inputs = classifier, clip
    if path == 'channels_last':
        import copy
        model = copy.deepcopy(classifier)
        for param in model.parameters():
            if param.dim() == 5:
                param.data = param.data.contiguous(
                    memory_format=torch.channels_last_3d)
        inputs = clip.contiguous(memory_format=torch.channels_last_3d)
    if path == 'compile':
        model = torch.compile(classifier)
    if path == 'bf16_weights':
        import copy

        from ..lean_inference import backbone_in_bf16, lean_activations
        model = copy.deepcopy(classifier)  # fp32 eager keeps its weights
        lean_activations(model)
        backbone_in_bf16(model)

    def run():
        with torch.no_grad(), torch.autocast(
                'cpu', dtype=torch.bfloat16, enabled=path == 'bf16'):
            return model(inputs).float()

    prepared = 0.0
    if path == 'compile':  # the first call compiles: its time, apart
        start = time.perf_counter()
        run()
        prepared = time.perf_counter() - start
    return dict(run=run, prepare_seconds=round(prepared, 1))


def measure_config(config: str, paths: Sequence[str] = PATHS,
                   repeats: int = 5, warmup: int = 2,
                   peak: Optional[Dict] = None, log=print) -> Dict:
    """Every path of ``paths`` on one view of ``config``'s test clip."""
    from mmaction.registry import MODELS

    from ..config import prepare
    from ..export import build_classifier
    from ..register import register_all_modules
    from .speed import clip_shape, flops_per_clip
    unknown = set(paths) - set(PATHS)
    if unknown:
        raise DanceStyleError(f'unknown paths {sorted(unknown)}: choose '
                              f'from {", ".join(PATHS)}')
    if 'fp32' not in paths:
        paths = ('fp32', *paths)  # the reference every path is compared to
    register_all_modules()
    cfg = prepare(config)
    cpu = torch.device('cpu')
    shape = clip_shape(cfg, test=True)
    # torch's default initialisation, no checkpoint read (as
    # tools/compare_models.py measures): the time does not depend on the
    # weights, and a config's init may need files (a 2D ImageNet ResNet-50)
    torch.manual_seed(0)
    recognizer = MODELS.build(cfg.model).eval()
    flops = flops_per_clip(recognizer, shape, cpu)
    classifier = build_classifier(recognizer, cfg)
    generator = torch.Generator().manual_seed(0)
    clip = torch.rand((1, ) + shape, generator=generator) * 255
    rows, runners = {}, {}
    with tempfile.TemporaryDirectory(prefix='paths_') as tmp:
        for path in paths:
            log(f'{Path(config).name}: {path}: preparing ...')
            try:
                runners[path] = path_runner(path, classifier, clip,
                                            Path(tmp))
                runners[path]['run']()  # a path that cannot run fails here
            except Exception as error:  # a path this machine cannot take
                runners.pop(path, None)
                rows[path] = dict(path=path, error=f'{type(error).__name__}'
                                  f': {str(error).splitlines()[0][:300]}')
                log(f'  failed: {rows[path]["error"]}')
        log(f'{Path(config).name}: timing {", ".join(runners)} in turns, '
            f'{repeats} rounds ...')
        timed = time_in_turns({path: runner['run'] for path, runner in
                               runners.items()}, repeats, warmup)
    reference = timed['fp32']['out']
    for path, runner in runners.items():
        result = timed[path]
        dev = deviation(result['out'], reference)
        row = dict(path=path, seconds_per_view=round(result['seconds'], 4),
                   min_seconds=round(result['min_seconds'], 4),
                   repeats=repeats, warmup=warmup,
                   prepare_seconds=runner['prepare_seconds'],
                   gflops=round(flops / result['seconds'] / 1e9, 1),
                   deviation=dev, right=is_right(path, dev))
        if peak:
            row['share_of_peak'] = round(row['gflops'] /
                                         peak['peak_gflops'], 3)
        rows[path] = row
        log(f'  {path}: {row["seconds_per_view"]:.3f} s/view, '
            f'{row["gflops"]} GFLOP/s, relative deviation '
            f'{dev["relative"]:.2e}')
    rows = [rows[path] for path in paths]
    base = rows[0]['seconds_per_view']
    for row in rows:
        if 'seconds_per_view' in row:
            row['speedup'] = round(base / row['seconds_per_view'], 2)
    right = [row for row in rows if row.get('right')]
    fastest = min(right, key=lambda row: row['seconds_per_view'])
    return dict(config=str(config), clip_shape=list(shape),
                gflops_per_view=round(flops / 1e9, 2), paths=rows,
                fastest_right=fastest['path'])


def measure_paths(configs: Sequence[str], paths: Sequence[str] = PATHS,
                  repeats: int = 5, warmup: int = 2, log=print) -> Dict:
    """:func:`measure_config` for each config, with the CPU's peak."""
    peak = cpu_peak()
    log(f'CPU peak: {peak}')
    return dict(what='paths', peak=peak, tolerance=TOLERANCE,
                threads=torch.get_num_threads(),
                omp_num_threads=os.environ.get('OMP_NUM_THREADS'),
                models=[measure_config(c, paths, repeats, warmup, peak, log)
                        for c in configs],
                gpu='not measured: no GPU lent')
