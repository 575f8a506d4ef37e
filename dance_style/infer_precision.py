"""The precision predict, the timeline and the page run a model's forward
passes in (``--precision auto|fp32|bf16``).

``auto`` (the default) holds the backbone's weights in bfloat16 and
computes it in bfloat16 (:func:`dance_style.lean_inference.
backbone_in_bf16`; the head and the softmax stay float32) where this CPU
computes bfloat16 natively (AVX512-BF16 or AMX) and a check of the loaded
model finds it right and faster; float32 elsewhere. The check runs one
clip of the model's test shape both ways and applies the rule of
``tools/benchmark.py --what paths`` (:func:`dance_style.benchmark.paths.
is_right`: the same top-1, log-probabilities within 2 % of the spread of
float32's); its verdict is cached per CPU, torch, model and checkpoint
beside the training check's (:func:`dance_style.bf16_check.cache_dir`).

Why this path and not the others: docs/results/inference_paths.json times
every CPU path of three models in turns, in one process. bfloat16 weights
were right and the fastest there; bfloat16 autocast, the default before,
pays for casting weights and LayerNorm inputs at every call; ONNX Runtime
needs an export per checkpoint first; torch.compile pays tens of seconds
of compiling per process and fails to compile I3D R50 NonLocal;
channels-last was slower. Training's check (:mod:`dance_style.bf16_check`)
judges gradients and weights after steps; this one judges only the scores
a user reads.
"""
import hashlib
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List

from .errors import DanceStyleError

CACHE_NAME = 'infer_bf16_verdicts.json'
BF16_FORM = 'weights'  # bfloat16 weights (lean_inference), not autocast
PRECISIONS = ('auto', 'fp32', 'bf16')
# bfloat16 is kept where it takes at most this share of float32's time:
# below the 0.57-0.65 measured, above what timing noise makes of "equal"
FASTER_BELOW = 0.9
# A first call with a large model pays for the check: UniFormerV2-B's 8
# passes took 10.9 s (docs/results/clip_uniformerv2.json at commit
# 8bc1143), 4 passes 6.1 s (the record now). Two rounds settle a ratio
# this far from FASTER_BELOW (UniFormerV2-B's is 0.48, 0.42 from it); a
# ratio nearer takes every round of ``repeats``.
CLEAR_OF_THRESHOLD = 0.15


@dataclass
class InferVerdict:
    """The check of one model's forward in bfloat16 on this CPU."""

    right: bool
    faster: bool
    relative: float  # log-probability difference / float32's spread
    same_top1: bool
    fp32_seconds: float
    bf16_seconds: float
    key: Dict[str, str] = field(default_factory=dict)
    cached: bool = False


def _checkpoint_id(model) -> str:
    """Which weights the model holds: the checkpoint's path, size and
    modification time (set by :func:`dance_style.predict.load_recognizer`),
    or, for a model built otherwise, a digest of every weight."""
    ident = getattr(model, 'checkpoint_id', None)
    if ident:
        return ident
    from .hooks import weights_digest
    return weights_digest(model.state_dict())


def verdict_key(model, shape) -> Dict[str, str]:
    """What the verdict depends on: training's check's key (the CPU and its
    oneDNN path, torch, the threads, the model) and the weights."""
    from .bf16_check import check_key
    key = check_key(model.cfg, tuple(shape))
    key['weights'] = hashlib.sha1(_checkpoint_id(model).encode()
                                  ).hexdigest()[:16]
    key['form'] = BF16_FORM  # verdicts of autocast (before) do not count
    return key


def check_model(model, repeats: int = 3) -> InferVerdict:
    """One clip of the model's test shape through float32 and bfloat16
    weights (:func:`dance_style.lean_inference.backbone_in_bf16`), judged by
    the paths benchmark's rule. The passes go in rounds, one each way in
    turns, so that a moment of load elsewhere does not decide; each
    precision's time is its fastest pass. The first round carries one-off
    costs (allocations, oneDNN's kernel choice), so there are at least two;
    a second round that leaves the ratio clear of the threshold ends the
    check (:func:`rounds_settled`), else it runs ``repeats`` rounds after
    the first. The model's float32 weights are back in place when it
    returns."""
    import torch

    from .benchmark.paths import deviation, is_right
    from .benchmark.speed import clip_shape
    from .export import build_classifier
    from .lean_inference import backbone_in_bf16, lean_activations
    lean_activations(model)  # as use_precision runs it, in either precision
    shape = clip_shape(model.cfg, test=True)
    classifier = build_classifier(model, model.cfg)  # shares the backbone
    generator = torch.Generator().manual_seed(0)
    clip = torch.rand((1, ) + tuple(shape), generator=generator) * 255

    def forward(bf16: bool):
        restore = backbone_in_bf16(classifier) if bf16 else None
        try:
            with torch.no_grad():
                start = time.perf_counter()
                out = classifier(clip).float()
                seconds = time.perf_counter() - start
        finally:
            if restore:
                restore()
        return out, seconds

    outs, times = {}, {False: [], True: []}
    while not rounds_settled(times[False], times[True], repeats):
        for bf16 in (False, True):
            outs[bf16], seconds = forward(bf16)
            times[bf16].append(seconds)
    fp32_seconds, bf16_seconds = min(times[False]), min(times[True])
    dev = deviation(outs[True], outs[False])
    return InferVerdict(
        right=is_right('bf16', dev),
        faster=bf16_seconds <= FASTER_BELOW * fp32_seconds,
        relative=dev['relative'], same_top1=dev['same_top1'],
        fp32_seconds=round(fp32_seconds, 4),
        bf16_seconds=round(bf16_seconds, 4),
        key=verdict_key(model, shape))


def rounds_settled(fp32: List[float], bf16: List[float],
                   repeats: int) -> bool:
    """Whether the check's timed rounds so far (seconds per pass, one list
    per precision) decide "faster": always after ``1 + repeats`` rounds,
    never before two, and in between where the ratio of the fastest passes
    is at least :data:`CLEAR_OF_THRESHOLD` from :data:`FASTER_BELOW`."""
    rounds = len(fp32)
    if rounds < 2:
        return False
    if rounds >= 1 + repeats:
        return True
    return abs(min(bf16) / min(fp32) - FASTER_BELOW) >= CLEAR_OF_THRESHOLD


def verdict_for(model, log: Callable[[str], None] = print) -> InferVerdict:
    """The cached verdict for this model on this CPU, or a new check."""
    from .benchmark.speed import clip_shape
    from .bf16_check import _key_text, read_cache, write_cache
    key = verdict_key(model, clip_shape(model.cfg, test=True))
    entry = read_cache(CACHE_NAME).get(_key_text(key))
    if entry:
        entry.pop('date', None)
        return InferVerdict(**entry, cached=True)
    log('checking bfloat16 inference on this CPU (once per model and '
        'checkpoint; cached) ...')
    verdict = check_model(model)
    write_cache(key, verdict, CACHE_NAME)
    return verdict


def _describe(verdict: InferVerdict) -> str:
    return (f'scores {verdict.relative:.1e} of float32\'s spread away'
            f'{"" if verdict.same_top1 else ", another top-1"}; '
            f'{verdict.bf16_seconds:.3f} s against {verdict.fp32_seconds:.3f}'
            ' s per view')


def choose_precision(model, precision: str = 'auto', device: str = 'cpu',
                     log: Callable[[str], None] = print) -> str:
    """'fp32' or 'bf16' for ``model``'s forward passes, from ``precision``
    (auto, fp32, bf16), saying why through ``log``. On a GPU: float32 (no
    GPU figure is recorded to choose by)."""
    if precision not in PRECISIONS:
        raise DanceStyleError(f'--precision {precision}: one of '
                              f'{", ".join(PRECISIONS)}')
    if precision == 'fp32':
        return 'fp32'
    if not str(device).startswith('cpu'):
        if precision == 'bf16':
            raise DanceStyleError('--precision bf16 is for a CPU; leave it '
                                  'out on a GPU')
        return 'fp32'
    from .bf16_check import _no_native_bf16
    why_not = _no_native_bf16()
    if why_not:
        if precision == 'bf16':
            raise DanceStyleError(f'--precision bf16 refused: {why_not}. '
                                  'Use --precision auto or fp32.')
        log(f'precision auto: float32 ({why_not})')
        return 'fp32'
    verdict = verdict_for(model, log)
    if not verdict.right:
        message = ('bfloat16 is not right for this model here '
                   f'({_describe(verdict)})')
        if precision == 'bf16':
            from .bf16_check import cache_dir
            raise DanceStyleError(
                f'--precision bf16 refused: {message}. Use --precision fp32 '
                f'(the verdict is cached in {cache_dir() / CACHE_NAME}; '
                'delete it to '
                'check again).')
        log(f'precision auto: float32 ({message})')
        return 'fp32'
    if precision == 'auto' and not verdict.faster:
        log(f'precision auto: float32 (bfloat16 is right but not faster '
            f'here: {_describe(verdict)})')
        return 'fp32'
    log(f'precision {precision}: bfloat16 weights ({_describe(verdict)})')
    return 'bf16'


def use_precision(model, precision: str) -> None:
    """Run ``model``'s forward passes (``model.test_step``: what predict,
    the timeline and the page call) in ``precision``, with lean
    activations and large batches of views in parts, in any precision
    (:mod:`dance_style.lean_inference`); the scores come back in float32.
    bf16 converts the backbone's weights in place: a caller that wants
    float32 too works on a copy."""
    from .lean_inference import (backbone_in_bf16, lean_activations,
                                 views_in_parts)
    model.inference_precision = precision
    lean_activations(model)
    if next(model.parameters()).device.type == 'cpu':
        # measured on CPUs only; a GPU is fed large batches for a reason
        views_in_parts(model)
    if precision == 'bf16':
        backbone_in_bf16(model)  # for good: float32's weights are freed


def add_precision_flag(parser) -> None:
    """``--precision`` for the tools that run a loaded model."""
    parser.add_argument(
        '--precision', choices=PRECISIONS, default='auto',
        help='the forward passes\' precision: auto (default) holds the '
        'backbone in bfloat16 where the CPU has AVX512-BF16 or AMX and a '
        'check of this '
        'model (seconds, once per model and checkpoint, cached) finds its '
        'scores right and faster than float32\'s; float32 elsewhere. bf16 '
        'is refused where that check fails')
