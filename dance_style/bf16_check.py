"""Is bfloat16 autocast *right* on this CPU, for this model?

The flags in /proc/cpuinfo say that bfloat16 may be fast on a CPU, never
that oneDNN computes it right there. Measured on a 2-core AMD EPYC (Zen 4:
avx512_bf16, no AMX) with torch 2.13: the weight gradients of the I3D's
3x1x1 temporal convolutions come back NaN from the first bf16 backward
pass, so the demo trained on NaN from its second iteration (issue 26); the
same commit trains right on a CPU with AMX, and on the Zen 4 with oneDNN
limited to AVX2 (where bf16 is emulated and slower than float32:
docs/results/bf16_check_demo_avx2.json).

So before bfloat16 is used for training, :func:`bf16_verdict` runs the
actual model both ways, from one seed, on the same random clips, and
compares: the loss, and every gradient. bf16 passes only if everything is
finite and both agree with float32 within :data:`TOLERANCE`. The verdict is
cached per CPU model, torch version, oneDNN limit (``ONEDNN_MAX_CPU_ISA``),
thread count and model (config and clip shape) in
``~/.cache/dance_style/bf16_checks.json`` (``DANCE_STYLE_CACHE_DIR`` moves
it), so a run pays the few seconds once.
"""
import contextlib
import hashlib
import json
import logging
import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .errors import DanceStyleError

# How far bfloat16 may drift from float32 and still count as right. bf16
# keeps 8 significant bits (relative rounding 2**-9 = 0.2 %). Measured where
# oneDNN's bf16 is right (the demo's I3D R50-NL on the Zen 4 with oneDNN
# limited to AVX2, docs/results/bf16_check_demo_avx2.json): losses 0.02
# to 0.04 % apart, gradient cosine 0.986 to 0.987 (the stem's gradient, the
# largest, is the least exact), norms 0.07 to 0.26 % apart. A wrong kernel
# gives NaN, or a gradient that points elsewhere (cosine near 0): the
# limits sit well outside the rounding and far from that.
TOLERANCE = dict(loss_rel=0.02, grad_cosine=0.90, grad_norm_rel=0.10)
CHECK_BATCH = 2  # clips per step: the shapes of training, at a quarter cost
CHECK_STEPS = 2  # forward + backward passes per dtype, on different clips
# The Zen 4 kernel's NaN comes and goes from one pass to the next on the
# same clips (uninitialised memory, by the look of it): 6 of 10 bf16 passes
# of the demo model at batch 2 had one, 10 of 10 with one thread. So bf16
# repeats its passes, MIN_BF16_PASSES at least, then until MAX_BF16_PASSES
# or BF16_BUDGET_S: at a 0.6 hit rate, 8 passes miss with probability 7e-4.
# The NonFiniteHook (dance_style.hooks) is the net for what passes anyway.
MIN_BF16_PASSES = 3
MAX_BF16_PASSES = 8
BF16_BUDGET_S = 15.0
CACHE_NAME = 'bf16_checks.json'


@dataclass
class Bf16Verdict:
    """The outcome of one check: whether bf16 is right, and faster."""

    right: bool
    reason: str
    faster: bool = False
    loss_rel: float = float('nan')  # |bf16 - fp32| / |fp32|, worst step
    grad_cosine: float = float('nan')  # all gradients as one vector, worst
    grad_norm_rel: float = float('nan')  # | |g_bf16| / |g_fp32| - 1 |
    nonfinite: List[str] = field(default_factory=list)  # parameters
    step_s: Dict[str, float] = field(default_factory=dict)  # fastest pass
    bf16_passes: int = 0
    key: Dict[str, str] = field(default_factory=dict)
    cached: bool = False

    def summary(self) -> str:
        """One line for the log."""
        speed = ''
        if self.step_s:
            speed = (f'; step {self.step_s["fp32"]:.3f} s fp32, '
                     f'{self.step_s["bf16"]:.3f} s bf16')
        source = ' (cached)' if self.cached else ''
        return (f'bf16 check{source}: {self.reason}{speed} '
                f'[{self.key.get("cpu", "?")}, torch '
                f'{self.key.get("torch", "?")}, oneDNN limit '
                f'{self.key.get("onednn_max_cpu_isa", "none")}]')


def cache_dir() -> Path:
    """``$DANCE_STYLE_CACHE_DIR``, else ``$XDG_CACHE_HOME/dance_style``,
    else ``~/.cache/dance_style``."""
    if os.environ.get('DANCE_STYLE_CACHE_DIR'):
        return Path(os.environ['DANCE_STYLE_CACHE_DIR'])
    base = os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache'
    return Path(base) / 'dance_style'


def check_key(cfg, shape: Tuple[int, ...]) -> Dict[str, str]:
    """What the verdict depends on: the CPU and its oneDNN path, torch
    (which bundles oneDNN), and the model."""
    import torch

    from .precision import cpu_name
    model = json.dumps(cfg.model.to_dict() if hasattr(cfg.model, 'to_dict')
                       else dict(cfg.model), sort_keys=True, default=str)
    digest = hashlib.sha1(f'{model}{shape}'.encode()).hexdigest()[:16]
    return dict(cpu=cpu_name(), torch=torch.__version__,
                onednn_max_cpu_isa=os.environ.get('ONEDNN_MAX_CPU_ISA', ''),
                threads=str(torch.get_num_threads()), model=digest)


def _key_text(key: Dict[str, str]) -> str:
    return json.dumps(key, sort_keys=True)


def read_cache(name: str = CACHE_NAME) -> Dict[str, dict]:
    """The cached verdicts of the file ``name`` in :func:`cache_dir`
    (training's by default; dance_style.infer_precision keeps its own)."""
    path = cache_dir() / name
    try:
        return json.loads(path.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: check again


def write_cache(key: Dict[str, str], verdict, name: str = CACHE_NAME
                ) -> None:
    """Add ``verdict`` (a dataclass with a ``cached`` field) under ``key``
    to the file ``name``."""
    from .fileio import write_text_atomic
    entries = read_cache(name)
    record = json_safe(asdict(verdict))
    record.pop('cached')
    record['date'] = time.strftime('%Y-%m-%dT%H:%M:%S')
    entries[_key_text(key)] = record
    try:
        write_text_atomic(cache_dir() / name,
                          json.dumps(entries, indent=1, sort_keys=True))
    except OSError:
        pass  # a read-only home: the check runs again next time


def json_safe(value):
    """``value`` with every non-finite float as None: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


@dataclass
class Passes:
    """What forward + backward passes in one dtype gave."""

    losses: List[float] = field(default_factory=list)
    grads: list = field(default_factory=list)  # kept for compared passes
    nonfinite: set = field(default_factory=set)  # parameter names
    seconds: float = float('inf')  # the fastest pass (the first warms up)
    count: int = 0


def run_pass(model, clips, labels, dtype, passes: Passes,
             keep_grads: bool) -> None:
    """One forward and backward pass from the model's current weights."""
    import torch
    import torch.nn.functional as F
    model.zero_grad(set_to_none=True)
    start = time.perf_counter()
    with torch.autocast('cpu', dtype=dtype or torch.bfloat16,
                        enabled=dtype is not None):
        logits = model.cls_head(model.backbone(clips))
        loss = F.cross_entropy(logits.float(), labels)
    loss.backward()
    passes.seconds = min(passes.seconds, time.perf_counter() - start)
    passes.count += 1
    passes.losses.append(float(loss.detach()))
    grads = {name: param.grad.detach().float()
             for name, param in model.named_parameters()
             if param.grad is not None}
    passes.nonfinite.update(name for name, grad in grads.items()
                            if not torch.isfinite(grad).all())
    if keep_grads:
        passes.grads.append({k: v.clone() for k, v in grads.items()})


def compare(fp32: Passes, bf16: Passes) -> Bf16Verdict:
    """The verdict from the float32 and the bfloat16 passes; the first
    passes of each were on the same clips, from the same weights."""
    import torch
    step_s = dict(fp32=fp32.seconds, bf16=bf16.seconds)
    if bf16.nonfinite or not all(math.isfinite(v) for v in bf16.losses):
        names = sorted(bf16.nonfinite)
        what = (f'{len(names)} of {len(bf16.grads[0])} gradients, first '
                f'{names[0]}' if names else 'the loss')
        return Bf16Verdict(
            False, f'bfloat16 gives non-finite values ({what}; '
            f'{bf16.count} passes)', nonfinite=names, step_s=step_s,
            bf16_passes=bf16.count)
    pairs = list(zip(fp32.losses, bf16.losses))  # the compared passes
    loss_rel = max(abs(a - b) / max(abs(a), 1e-12) for a, b in pairs)
    cosines, norms = [], []
    for g32, g16 in zip(fp32.grads, bf16.grads):
        a = torch.cat([g.flatten() for g in g32.values()])
        b = torch.cat([g16[name].flatten() for name in g32])
        cosines.append(float(torch.nn.functional.cosine_similarity(
            a, b, dim=0)))
        norms.append(abs(float(b.norm() / a.norm().clamp_min(1e-30)) - 1))
    verdict = Bf16Verdict(True, '', faster=bf16.seconds < fp32.seconds,
                          loss_rel=loss_rel, grad_cosine=min(cosines),
                          grad_norm_rel=max(norms), step_s=step_s,
                          bf16_passes=bf16.count)
    failed = [f'{name} {value:.4g} (limit {TOLERANCE[name]})'
              for name, value, bad in (
                  ('loss_rel', loss_rel, loss_rel > TOLERANCE['loss_rel']),
                  ('grad_cosine', verdict.grad_cosine,
                   verdict.grad_cosine < TOLERANCE['grad_cosine']),
                  ('grad_norm_rel', verdict.grad_norm_rel,
                   verdict.grad_norm_rel > TOLERANCE['grad_norm_rel']))
              if bad]
    if failed:
        verdict.right = False
        verdict.reason = ('bfloat16 disagrees with float32: '
                          + ', '.join(failed))
    else:
        verdict.reason = (
            f'bfloat16 agrees with float32 (loss {loss_rel:.2%} apart, '
            f'gradient cosine {verdict.grad_cosine:.4f}, norm '
            f'{verdict.grad_norm_rel:.2%} apart; {bf16.count} passes)')
    return verdict


@contextlib.contextmanager
def _quiet_mmengine():
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def check_bf16(cfg, shape: Optional[Tuple[int, ...]] = None,
               seed: int = 0) -> Bf16Verdict:
    """Run the config's model in float32 and in bfloat16 autocast from one
    seed, on the same clips, and compare (no cache)."""
    import torch

    from .benchmark.speed import build_recognizer, clip_shape
    shape = tuple(shape or clip_shape(cfg))
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    with _quiet_mmengine():  # init_weights logs a line per parameter
        model = build_recognizer(cfg, torch.device('cpu'))
    model.train()
    num_classes = model.cls_head.num_classes
    batches = [(torch.randn((CHECK_BATCH, ) + shape, generator=generator),
                torch.randint(0, num_classes, (CHECK_BATCH, ),
                              generator=generator))
               for _ in range(CHECK_STEPS)]
    # BatchNorm's running statistics move in train mode: both runs start
    # from the same buffers, and draw the same dropout masks
    state = {k: v.clone() for k, v in model.state_dict().items()}
    runs = {}
    for dtype in (None, torch.bfloat16):
        model.load_state_dict(state)
        torch.manual_seed(seed)
        runs[dtype] = passes = Passes()
        for clips, labels in batches:
            run_pass(model, clips, labels, dtype, passes, keep_grads=True)
    bf16 = runs[torch.bfloat16]
    spent = bf16.seconds * CHECK_STEPS
    # repeats, for finiteness only (the weights stay as they are: no step)
    while not bf16.nonfinite and bf16.count < MAX_BF16_PASSES and (
            bf16.count < MIN_BF16_PASSES or spent < BF16_BUDGET_S):
        clips, labels = batches[bf16.count % CHECK_STEPS]
        run_pass(model, clips, labels, torch.bfloat16, bf16,
                 keep_grads=False)
        spent += bf16.seconds  # about: the fastest pass
    verdict = compare(runs[None], bf16)
    verdict.key = check_key(cfg, shape)
    return verdict


def bf16_verdict(cfg, shape: Optional[Tuple[int, ...]] = None,
                 log=print) -> Bf16Verdict:
    """The cached verdict for this CPU and model, or a fresh check (a few
    seconds), written to the cache; ``log`` gets its one-line summary."""
    from .benchmark.speed import clip_shape
    shape = tuple(shape or clip_shape(cfg))
    key = check_key(cfg, shape)
    record = read_cache().get(_key_text(key))
    if record is not None:
        record.pop('date', None)
        verdict = Bf16Verdict(**{k: float('nan') if v is None else v
                                 for k, v in record.items()}, cached=True)
    else:
        verdict = check_bf16(cfg, shape)
        write_cache(key, verdict)
    log(verdict.summary())
    return verdict


def record_failure(cfg, reason: str) -> None:
    """Cache a failed verdict for this CPU and model: bfloat16 gave a
    non-finite value in a real run (:class:`dance_style.nonfinite.
    NonFiniteHook`), whatever the check had found before."""
    from .benchmark.speed import clip_shape
    key = check_key(cfg, tuple(clip_shape(cfg)))
    write_cache(key, Bf16Verdict(False, f'a training run failed: {reason}',
                                 key=key))


def _no_native_bf16() -> Optional[str]:
    """Why this CPU should not run bfloat16 at all, or None."""
    from .precision import cpu_name, cpu_supports_bf16
    if not cpu_supports_bf16():
        return (f'this CPU ({cpu_name()}) has no AVX512-BF16 or AMX: '
                'bfloat16 would be emulated and slower than float32')
    return None


def auto_bf16(cfg, log=print) -> bool:
    """``precision: auto`` on a CPU: bfloat16 autocast only where the CPU
    has the instructions, the check finds it right, and it is faster than
    float32; otherwise float32, and ``log`` says why."""
    why_not = _no_native_bf16()
    if why_not:
        log(f'precision auto: float32 ({why_not})')
        return False
    verdict = bf16_verdict(cfg, log=log)
    if not verdict.right:
        log('precision auto: float32 (bfloat16 is not right on this CPU)')
        return False
    if not verdict.faster:
        log('precision auto: float32 (bfloat16 is right but not faster '
            'here)')
        return False
    log('precision auto: bfloat16 autocast')
    return True


def require_bf16(cfg, log=print) -> None:
    """``--amp`` on a CPU: refuse, with the reason, where bfloat16 is
    emulated or the check finds it wrong."""
    why_not = _no_native_bf16()
    if why_not:
        raise DanceStyleError(f'--amp without a GPU trains in bfloat16, but '
                              f'{why_not}. Leave --amp out.')
    verdict = bf16_verdict(cfg, log=log)
    if not verdict.right:
        raise DanceStyleError(
            f'--amp refused: {verdict.reason}, on this CPU '
            f'({verdict.key.get("cpu")}, torch {verdict.key.get("torch")}). '
            'Train in float32: leave --amp out. (The verdict is cached in '
            f'{cache_dir() / CACHE_NAME}; delete it to check again, e.g. '
            'after a torch upgrade.)')
