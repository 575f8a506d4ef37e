"""bfloat16 autocast on CPUs that compute in it.

mmengine's ``AmpOptimWrapper`` refuses to run without a GPU, yet CPUs with
AVX512-BF16 or AMX run oneDNN's bfloat16 convolutions natively (the demo
model's training step, batch 8: 0.729 -> 0.585 s on one such CPU, as issue 15
reports; 1.05 -> 0.97 s on the 2-core AVX512-BF16 + AMX machine of this
repository's figures, two sequential tools/train.py runs). Elsewhere
bfloat16 is emulated and slower than float32, so it is used only where
:func:`cpu_supports_bf16` finds the instructions.
"""
import contextlib
from pathlib import Path

import torch
from mmaction.registry import OPTIM_WRAPPERS
from mmengine.optim import OptimWrapper

# /proc/cpuinfo flags of native bfloat16 arithmetic (Linux names)
BF16_FLAGS = ('avx512_bf16', 'amx_bf16')


def cpu_flags() -> set:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is no
    such file, e.g. macOS)."""
    try:
        text = Path('/proc/cpuinfo').read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith('flags'):
            return set(line.split(':', 1)[1].split())
    return set()


def cpu_supports_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX)."""
    return bool(cpu_flags() & set(BF16_FLAGS))


def cpu_name() -> str:
    """The CPU's model name, for the figures' records."""
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'):
                return line.split(':', 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward pass runs under
    ``torch.autocast('cpu', dtype)`` (bfloat16 by default).

    bfloat16 has float32's exponent range, so no loss scaling is needed (as
    for ``AmpOptimWrapper`` with ``dtype='bfloat16'`` on a GPU). Weights,
    gradients and the optimizer state stay float32.

    Args:
        dtype (str): ``'bfloat16'``. Defaults to ``'bfloat16'``.
        **kwargs: ``OptimWrapper``'s arguments.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        if dtype != 'bfloat16':
            raise ValueError(f'CPUAutocastOptimWrapper runs bfloat16 only, '
                             f'got {dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = torch.bfloat16

    @contextlib.contextmanager
    def optim_context(self, model):
        self._scores_in_float32(model)
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield

    def _scores_in_float32(self, model) -> None:
        """The head's class scores come back as float32: mmaction's
        ``BaseHead.loss_by_feat`` computes top-k accuracy in numpy, which
        has no bfloat16 (a GPU's float16 passes there)."""
        model = getattr(model, 'module', model)  # DDP wrappers
        head = getattr(model, 'cls_head', None)
        if head is None or getattr(head, '_float32_scores', False):
            return
        head.register_forward_hook(
            lambda module, args, out: out.float()
            if torch.is_tensor(out) and out.is_floating_point() else out)
        head._float32_scores = True
