"""Faster CPU forward passes of a loaded model, for predict, the timeline
and the page: the backbone's weights held in bfloat16, with prepacked
linears and lean self-attention (:func:`backbone_in_bf16`, where
:mod:`dance_style.infer_precision`'s check finds it right and faster), and
activations computed with fewer new tensors (:func:`lean_activations`, the
same results). Measured in
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
    """Whether this torch has oneDNN's prepacked linear (x86 builds do)
    and oneDNN computes bfloat16 here: with ``ONEDNN_MAX_CPU_ISA=AVX2``,
    or on a CPU without AVX512-BF16 or AVX-NE-CONVERT, the packing is
    refused ("bf16 path needs the cpu support ...")."""
    return torch.backends.mkldnn.is_available() and all(
        hasattr(torch.ops.mkldnn, op)
        for op in ('_reorder_linear_weight', '_linear_pointwise',
                   '_is_mkldnn_bf16_supported')) and \
        torch.ops.mkldnn._is_mkldnn_bf16_supported()


class PackedLinear(nn.Module):
    """An ``nn.Linear`` whose weight oneDNN reorders once into the blocked
    layout its matrix product reads, instead of at every call, with the
    bias added inside the product (``torch.ops.mkldnn``, the ops
    torch.compile's freezing uses). Measured on the Zen 4 of
    docs/results/inference_paths.json, bfloat16, UniFormerV2-B's MLP
    shapes: the same bits as ``F.linear``, 8 % faster at one view's 1576
    tokens, 7-15 % at three views'. Inference only: no autograd. The
    plain weight stays as ``weight`` for code that reads it."""

    def __init__(self, linear: nn.Module, rows_hint: int = 1576) -> None:
        super().__init__()
        self.out_features, self.in_features = linear.weight.shape
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


class _Weights(nn.Module):
    """A weight and a bias, as ``nn.Linear`` holds them (what
    :class:`PackedLinear` packs): MultiheadAttention's input projection."""

    def __init__(self, weight, bias) -> None:
        super().__init__()
        self.weight, self.bias = weight, bias


class LeanSelfAttention:
    """The forward of one ``nn.MultiheadAttention`` (sequence first, as
    CLIP's and UniFormerV2's blocks hold it) for self-attention without
    masks or weights asked for: both projections prepacked
    (:class:`PackedLinear`), and the attention as plain matrix products
    and a softmax (as mmaction2's own UniFormerV2 global blocks compute
    theirs). On this page's Zen 4, bfloat16, UniFormerV2-B's 8 x 12 heads
    of 197 tokens: 4.7 ms against 8.2 ms for torch's fused CPU kernel
    (``scaled_dot_product_attention``), whose blocking suits longer
    sequences. Any other call takes torch's own forward."""

    def __init__(self, attention: nn.MultiheadAttention) -> None:
        self.attention = attention
        self.in_proj = PackedLinear(_Weights(attention.in_proj_weight,
                                             attention.in_proj_bias))
        self.out_proj = PackedLinear(attention.out_proj)

    def __call__(self, query, key, value, key_padding_mask=None,
                 need_weights=True, attn_mask=None,
                 average_attn_weights=True, is_causal=False):
        m = self.attention
        if (query is not key or key is not value or need_weights
                or attn_mask is not None or key_padding_mask is not None
                or is_causal or query.dim() != 3 or m.training
                or torch.is_grad_enabled()):
            return nn.MultiheadAttention.forward(
                m, query, key, value, key_padding_mask, need_weights,
                attn_mask, average_attn_weights, is_causal)
        length, batch, width = query.shape
        heads = m.num_heads
        qkv = self.in_proj(query).view(length, batch, 3, heads,
                                       width // heads)
        q, k, v = qkv.permute(2, 1, 3, 0, 4)  # each (batch, heads, L, D)
        scores = torch.matmul(q, k.transpose(-1, -2))
        scores.mul_(m.head_dim ** -0.5)
        out = torch.matmul(scores.softmax(-1), v)  # (batch, heads, L, D)
        out = out.permute(2, 0, 1, 3).reshape(length, batch, width)
        return self.out_proj(out), None


def _can_lean_attention(m: nn.Module) -> bool:
    return (type(m) is nn.MultiheadAttention and m._qkv_same_embed_dim
            and not m.batch_first and m.in_proj_bias is not None
            and m.bias_k is None and not m.add_zero_attn)


def _lean_attention(part: nn.Module) -> list:
    """Give each plain self-attention ``nn.MultiheadAttention`` under
    ``part`` a :class:`LeanSelfAttention` forward; returns the modules, to
    undo it."""
    swapped = []
    for module in part.modules():
        if _can_lean_attention(module):
            module.forward = LeanSelfAttention(module)
            swapped.append(module)
    return swapped


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

    Where this torch has oneDNN's prepacked linear (x86), the backbone's
    ``nn.Linear`` layers become :class:`PackedLinear` and its plain
    self-attention layers get :class:`LeanSelfAttention`'s forward: both
    are bfloat16's gains only (the attention's plain products lose to
    torch's fused kernel in float32).

    Returns a function that undoes all of it and puts the float32 weights
    back, the very tensors (the check runs both ways); a caller that keeps
    bfloat16 drops it, and the float32 weights with it: half the model's
    memory.

    Why not autocast: autocast keeps float32 weights and casts them, and
    each LayerNorm's input and output, at every call: in UniFormerV2-B,
    69 ms of copies in a 1.0 s view (torch.profiler, the Zen 4 of
    docs/results/inference_paths.json). Weights held in bfloat16 skip the
    copies, and the elementwise ops move half the bytes."""
    saved, hooks, packed, attentions = [], [], [], []
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
            attentions += _lean_attention(part)
        hooks.append(part.register_forward_pre_hook(
            lambda _m, args: _cast(args, torch.bfloat16)))
        hooks.append(part.register_forward_hook(
            lambda _m, _a, out: _cast(out, torch.float32)))

    def restore() -> None:
        for hook in hooks:
            hook.remove()
        for parent, name, linear in packed:
            setattr(parent, name, linear)
        for attention in attentions:
            del attention.forward  # the class's own again
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


# Pixels (frames x height x width) one backbone call takes at most: a
# batch of clips larger than this goes through in parts. Measured on the
# Zen 4 of docs/results/inference_paths.json, seconds per view with the
# views of one call: UniFormerV2-B (8 x 224 x 224 = 401k pixels a view),
# float32, 1.78 s at 1 view and 2.13 s at 12, bfloat16 0.83 s and 0.97 s;
# I3D R50-NL (32 x 224 x 224) in bfloat16, 0.57-0.63 s at 1, 0.74 s at
# 10: a large batch's activations outgrow the caches, and each new one is
# fresh memory to fault in. The demo's I3D (16 x 64 x 64 = 65k pixels)
# gains from batching instead: 32 ms a view alone, 13 ms at 8 and at 24.
# 2**19 pixels keeps one full-size view a call and lets 8 small ones share.
CALL_PIXELS = 2 ** 19


def _cat(parts):
    """The outputs of the parts as one batch (tensors, or tuples of
    them)."""
    if isinstance(parts[0], torch.Tensor):
        return torch.cat(parts)
    return type(parts[0])(_cat([part[i] for part in parts])
                          for i in range(len(parts[0])))


def views_in_parts(model: nn.Module, pixels: int = CALL_PIXELS) -> None:
    """Let ``model``'s backbone take a batch of clips in parts of at most
    ``pixels`` pixels (one clip at least), the outputs joined again: the
    same results (each view is computed on its own in eval mode), faster
    where the clips are large. For inference: predict's views of a video
    and the timeline's batches of windows."""
    backbone = model.backbone
    if 'forward' in backbone.__dict__:
        return  # done already
    forward = backbone.forward

    def in_parts(x, *args, **kwargs):
        if not isinstance(x, torch.Tensor) or x.dim() < 2 or \
                torch.is_grad_enabled():
            return forward(x, *args, **kwargs)
        per_clip = max(1, x[0].numel() // x.shape[1])  # all but channels
        size = max(1, pixels // per_clip)
        if x.shape[0] <= size:
            return forward(x, *args, **kwargs)
        return _cat([forward(part, *args, **kwargs)
                     for part in x.split(size)])

    backbone.forward = in_parts
