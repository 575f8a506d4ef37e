"""Faster CPU forward passes of a loaded model, for predict, the timeline
and the page: the backbone's weights held in bfloat16
(:func:`backbone_in_bf16`, where :mod:`dance_style.infer_precision`'s
check finds it right and faster) and activations computed with fewer new
tensors (:func:`lean_activations`, the same results). Measured in
``tools/benchmark.py --what paths`` (path ``bf16_weights``), against
float32 eager as stock mmaction2 runs it."""
from typing import Callable

import torch
from torch import nn

BF16_PARTS = ('backbone', 'neck')  # what runs in bfloat16; the head stays


def _cast(value, dtype):
    """``value`` (a tensor, or a tuple or list of them) with its floating
    tensors in ``dtype``."""
    if isinstance(value, torch.Tensor):
        return value.to(dtype) if value.is_floating_point() else value
    if isinstance(value, (tuple, list)):
        return type(value)(_cast(v, dtype) for v in value)
    return value


def _slots(part: nn.Module):
    """(module, table, key) of every parameter and buffer under ``part``:
    where ``Module.to`` puts the converted tensors."""
    for module in part.modules():
        for table in ('_parameters', '_buffers'):
            for key, tensor in getattr(module, table).items():
                if tensor is not None:
                    yield module, table, key


def _can_pack() -> bool:
    """Whether this torch has oneDNN's prepacked linear (x86 builds do)."""
    return torch.backends.mkldnn.is_available() and all(
        hasattr(torch.ops.mkldnn, op)
        for op in ('_reorder_linear_weight', '_linear_pointwise'))


class PackedLinear(nn.Module):
    """An ``nn.Linear`` whose weight oneDNN reorders once into the blocked
    layout its matrix product reads, instead of at every call, with the
    bias added inside the product (``torch.ops.mkldnn``, the ops
    torch.compile's freezing uses). Measured on the Zen 4 of
    docs/results/inference_paths.json, bfloat16, UniFormerV2-B's MLP
    shapes: the same bits as ``F.linear``, 8 % faster at one view's 1576
    tokens, 7-15 % at three views'. Inference only: no autograd. The
    plain weight stays as ``weight`` for code that reads it."""

    def __init__(self, linear: nn.Linear, rows_hint: int = 1576) -> None:
        super().__init__()
        self.in_features = linear.in_features
        self.out_features = linear.out_features
        self.weight = linear.weight
        self.bias = linear.bias
        self.register_buffer('packed', torch.ops.mkldnn._reorder_linear_weight(
            linear.weight.detach(), rows_hint), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = None if self.bias is None else self.bias.detach()
        out = torch.ops.mkldnn._linear_pointwise(
            x.reshape(-1, self.in_features), self.packed, bias, 'none', [],
            '')
        return out.reshape(*x.shape[:-1], self.out_features)


def _pack_linears(part: nn.Module) -> list:
    """Swap each plain ``nn.Linear`` under ``part`` for a
    :class:`PackedLinear`; returns (parent, name, original) to undo it."""
    swapped = []
    for parent in list(part.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is nn.Linear:  # not MultiheadAttention's own
                setattr(parent, name, PackedLinear(child))
                swapped.append((parent, name, child))
    return swapped


def backbone_in_bf16(model: nn.Module) -> Callable[[], None]:
    """Hold ``model``'s backbone (and neck) weights in bfloat16, in place,
    and compute them in bfloat16 whole: the clip is cast on the way in and
    the features back to float32 on the way out, so the preprocessing, the
    head and the softmax stay float32. ``model`` is a recognizer or a
    :class:`dance_style.export.ClipClassifier` (both hold ``backbone``).

    Returns a function that puts the float32 weights back, the very
    tensors (the check runs both ways); a caller that keeps bfloat16 drops
    it, and the float32 weights with it: half the model's memory.

    Why not autocast: autocast keeps float32 weights and casts them, and
    each LayerNorm's input and output, at every call: in UniFormerV2-B,
    69 ms of copies in a 1.0 s view (torch.profiler, the Zen 4 of
    docs/results/inference_paths.json). Weights held in bfloat16 skip the
    copies, and the elementwise ops move half the bytes."""
    saved, hooks, packed = [], [], []
    for name in BF16_PARTS:
        part = getattr(model, name, None)
        if part is None or any(t.dtype == torch.bfloat16
                               for t in part.parameters()):
            continue  # absent, or in bfloat16 already
        for module, table, key in _slots(part):
            tensor = getattr(module, table)[key]
            saved.append((module, table, key, tensor.data))
        part.to(torch.bfloat16)
        if _can_pack():
            packed += _pack_linears(part)
        hooks.append(part.register_forward_pre_hook(
            lambda _m, args: _cast(args, torch.bfloat16)))
        hooks.append(part.register_forward_hook(
            lambda _m, _a, out: _cast(out, torch.float32)))

    def restore() -> None:
        for hook in hooks:
            hook.remove()
        for parent, name, linear in packed:
            setattr(parent, name, linear)
        for module, table, key, data in saved:
            if table == '_parameters':
                module._parameters[key].data = data
            else:
                module._buffers[key] = data

    return restore


class InPlaceQuickGELU(nn.Module):
    """CLIP's QuickGELU, ``x * sigmoid(1.702 x)``, as mmaction2's
    UniFormerV2 computes it (the same operations in the same order: the
    same bits), with one new tensor where mmaction2's makes three. Each is
    a 19 MB activation of a ViT-B's MLP, and in bfloat16 the allocations
    cost more than the arithmetic (UniFormerV2-B with bfloat16 weights, one
    process, the Zen 4 above: 1.02 s a view, 0.89 s with this). Where
    autograd records (training) the plain formula runs: the in-place steps
    would overwrite what the backward pass reads."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            return x * torch.sigmoid(1.702 * x)
        out = x.mul(1.702)
        out.sigmoid_()
        return out.mul_(x)


def lean_activations(model: nn.Module) -> int:
    """Swap every mmaction2 QuickGELU in ``model`` for
    :class:`InPlaceQuickGELU` (the same results); returns how many."""
    try:
        from mmaction.models.backbones.uniformerv2 import QuickGELU
    except ImportError:  # an mmaction2 without UniFormerV2
        return 0
    swapped = 0
    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if type(child) is QuickGELU:
                setattr(module, name, InPlaceQuickGELU())
                swapped += 1
    return swapped
