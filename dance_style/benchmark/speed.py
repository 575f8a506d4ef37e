"""Training, inference and input-pipeline throughput: stock vs tuned.

Used by ``tools/benchmark.py --what train|infer|data``. Every measurement excludes warm-up steps
(cuDNN autotuning, ``torch.compile``, allocator growth) and synchronises the
device before reading the clock. "Stock" is what MMAction2's I3D recipe runs:
float32, ``cudnn_benchmark`` off, contiguous (NCDHW) memory, eager mode.
"""
import time
from dataclasses import asdict, dataclass
from typing import Dict, Optional, Tuple

import torch

from ..errors import DanceStyleError

# Dense peak FLOP/s per device and dtype, from the vendors' data sheets.
# 'fp32' is the TF32 tensor-core peak: PyTorch lets cuDNN run float32
# convolutions in TF32 by default (torch.backends.cudnn.allow_tf32), so
# that is the ceiling of a "float32" I3D step. Checked in order: PCIe
# before the SXM default. Used for model FLOPs utilisation.
PEAK_FLOPS = (
    ('H100 PCIe', {'bf16': 756e12, 'fp16': 756e12, 'fp32': 378e12}),
    ('H100', {'bf16': 989e12, 'fp16': 989e12, 'fp32': 495e12}),
    ('H200', {'bf16': 989e12, 'fp16': 989e12, 'fp32': 495e12}),
    ('A100', {'bf16': 312e12, 'fp16': 312e12, 'fp32': 156e12}),
)


@dataclass
class Setting:
    """One way of running the same model."""

    name: str
    amp: str = 'none'  # none | bf16 | fp16
    channels_last: bool = False
    compile: bool = False
    cudnn_benchmark: bool = False

    @property
    def dtype(self) -> Optional[torch.dtype]:
        return {'bf16': torch.bfloat16, 'fp16': torch.float16}.get(self.amp)


STOCK = Setting('stock')


def device_peak(device: torch.device, amp: str) -> Optional[float]:
    """Peak FLOP/s of this GPU for the dtype, or None when unknown (CPU)."""
    if device.type != 'cuda':
        return None
    name = torch.cuda.get_device_name(device)
    for key, peaks in PEAK_FLOPS:
        if key in name:
            return peaks['fp32' if amp == 'none' else amp]
    return None


def build_recognizer(cfg, device: torch.device):
    """The config's model, initialised, on ``device``."""
    from mmaction.registry import MODELS

    from ..register import register_all_modules
    register_all_modules()
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.to(device)


def flops_per_clip(model, shape: Tuple[int, int, int, int],
                   device: torch.device) -> float:
    """Forward FLOPs of one clip, counted by torch's FlopCounterMode
    (convolutions and matmuls, 2 FLOPs per multiply-add)."""
    from torch.utils.flop_counter import FlopCounterMode
    clip = torch.zeros((1, ) + shape, device=device)
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.cls_head(model.backbone(clip))
    return float(counter.get_total_flops())


def synchronize(device: torch.device) -> None:
    """Wait until ``device`` has finished the work queued on it: read the
    clock only after this, since CUDA kernels run asynchronously (a CPU
    computes before it returns; nothing to wait for)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _prepare(model, setting: Setting):
    """The model in the setting's memory format, and its clip -> logits
    function (compiled when asked)."""
    torch.backends.cudnn.benchmark = setting.cudnn_benchmark
    if setting.channels_last:
        # Module.to(memory_format=channels_last_3d) refuses the 2D head
        # weights; the 5D conv weights are what matters
        for param in model.parameters():
            if param.dim() == 5:
                param.data = param.data.contiguous(
                    memory_format=torch.channels_last_3d)

    def logits(clips):
        return model.cls_head(model.backbone(clips))

    return model, (torch.compile(logits) if setting.compile else logits)


def check_amp(setting: Setting, device: torch.device) -> None:
    """float16 autocast is a GPU's; a CPU runs bfloat16 (natively with
    AVX512-BF16 or AMX, emulated elsewhere, which the result records)."""
    if setting.amp == 'fp16' and device.type != 'cuda':
        raise DanceStyleError('--amp fp16 is measured on a GPU only; a CPU '
                              'runs --amp bf16')


def bench_train(cfg, setting: Setting, batch: int, iters: int, warmup: int,
                device: torch.device,
                shape: Optional[Tuple[int, int, int, int]] = None) -> Dict:
    """Full training steps (forward, loss, backward, SGD step) on clips
    held in memory: the model's speed without the input pipeline."""
    check_amp(setting, device)
    shape = shape or clip_shape(cfg)
    model = build_recognizer(cfg, device)
    flops = flops_per_clip(model, shape, device)
    model, logits_of = _prepare(model, setting)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    scaler = torch.amp.GradScaler(enabled=setting.amp == 'fp16')
    memory_format = torch.channels_last_3d if setting.channels_last \
        else torch.contiguous_format
    clips = torch.randn((batch, ) + shape, device=device).to(
        memory_format=memory_format)
    labels = torch.randint(0, model.cls_head.num_classes, (batch, ),
                           device=device)

    def step():
        with torch.autocast(device.type, dtype=setting.dtype,
                            enabled=setting.dtype is not None):
            logits = logits_of(clips)
            loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    seconds = _time(step, iters, warmup, device)
    clips_per_s = batch * iters / seconds
    result = dict(setting=asdict(setting), batch=batch, iters=iters,
                  step_ms=1000 * seconds / iters, clips_per_s=clips_per_s,
                  forward_gflops_per_clip=flops / 1e9,
                  peak_memory_mb=_peak_memory_mb(device))
    peak = device_peak(device, setting.amp)
    # a training step is about 3 forward passes (forward + 2x backward)
    result['mfu'] = 3 * flops * clips_per_s / peak if peak else None
    return result


def bench_infer(cfg, setting: Setting, views: int, iters: int, warmup: int,
                device: torch.device,
                shape: Optional[Tuple[int, int, int, int]] = None) -> Dict:
    """The test-time forward of one video: ``views`` clips (10 clips x 3
    crops = 30 in the dance configs) in one batch, probabilities averaged."""
    check_amp(setting, device)
    shape = shape or clip_shape(cfg, test=True)
    model = build_recognizer(cfg, device).eval()
    model, logits_of = _prepare(model, setting)
    memory_format = torch.channels_last_3d if setting.channels_last \
        else torch.contiguous_format
    clips = torch.randn((views, ) + shape, device=device).to(
        memory_format=memory_format)

    def step():
        with torch.no_grad(), torch.autocast(
                device.type, dtype=setting.dtype,
                enabled=setting.dtype is not None):
            logits_of(clips).float().softmax(-1).mean(0)

    seconds = _time(step, iters, warmup, device)
    return dict(setting=asdict(setting), views=views, iters=iters,
                latency_ms=1000 * seconds / iters,
                videos_per_s=iters / seconds,
                clips_per_s=views * iters / seconds,
                peak_memory_mb=_peak_memory_mb(device))


def _time(step, iters: int, warmup: int, device: torch.device) -> float:
    for _ in range(warmup):
        step()
    synchronize(device)
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for _ in range(iters):
        step()
    synchronize(device)
    return time.perf_counter() - start


def _peak_memory_mb(device: torch.device) -> Optional[float]:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clip_channels(cfg) -> int:
    """Channels of the clips the model takes: one per mean of its data
    preprocessor (3 for RGB, 2 for optical flow's x and y)."""
    mean = cfg.model.get('data_preprocessor', {}).get('mean')
    return len(mean) if mean else 3


def clip_shape(cfg, test: bool = False) -> Tuple[int, int, int, int]:
    """(C, T, H, W) of one clip as the config's train (or test) pipeline
    feeds the model (C: :func:`clip_channels`)."""
    from ..export import input_shape
    channels = clip_channels(cfg)
    if test:
        frames, height, width = input_shape(cfg)
        return channels, frames, height, width
    frames = size = None
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] == 'SampleFrames':
            frames = step['clip_len']
        elif step['type'] == 'Resize' and step.get('keep_ratio') is False:
            size = step['scale']
        elif step['type'] in ('RandomCrop', 'RandomResizedCrop'):
            size = step.get('size', size)
    if frames is None or size is None:
        raise DanceStyleError('cannot tell the training clip shape from the '
                              'train pipeline; pass --shape T H W')
    height, width = (size, size) if isinstance(size, int) else size[::-1]
    return channels, frames, height, width


# mmaction2's I3D recipe loads with 8 workers, persistent, without pinned
# memory or a deeper prefetch; ours pins (when a GPU will consume) and keeps
# four batches per worker in flight.
STOCK_LOADER = dict(persistent_workers=True, pin_memory=False)
TUNED_LOADER = dict(persistent_workers=True, pin_memory=True,
                    prefetch_factor=4)


def bench_data(cfg, ann_file: str, data_prefix: str, workers: int,
               batches: int, loader: Dict, batch_size: int) -> Dict:
    """Clips/s through the config's real training dataloader (decoding and
    every transform), the first batch (worker start-up) excluded."""
    import copy

    from mmengine.runner import Runner

    from ..register import register_all_modules
    register_all_modules()
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.batch_size = batch_size
    loader_cfg.num_workers = workers
    loader_cfg.dataset.ann_file = ann_file
    loader_cfg.dataset.data_prefix = dict(video=data_prefix)
    options = dict(loader)
    if workers == 0:  # these need worker processes
        options = {k: v for k, v in options.items()
                   if k not in ('persistent_workers', 'prefetch_factor')}
        loader_cfg.pop('persistent_workers', None)
    if not torch.cuda.is_available():
        options['pin_memory'] = False  # nothing to pin for
    loader_cfg.update(options)
    dataloader = Runner.build_dataloader(loader_cfg, seed=0)
    iterator = iter(dataloader)
    next(iterator)  # workers start, first decode
    start = time.perf_counter()
    clips = 0
    for _ in range(batches):
        try:
            batch = next(iterator)
        except StopIteration:
            iterator = iter(dataloader)
            batch = next(iterator)
        clips += len(batch['inputs'])
    seconds = time.perf_counter() - start
    del iterator, dataloader
    return dict(workers=workers, batches=batches, clips=clips,
                clips_per_s=clips / seconds,
                loader={k: v for k, v in loader_cfg.items()
                        if k in ('pin_memory', 'prefetch_factor',
                                 'persistent_workers', 'num_workers')})
