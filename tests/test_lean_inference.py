"""dance_style.lean_inference: the backbone's weights in bfloat16 (and back
to the very float32 tensors), and the in-place QuickGELU that computes the
same bits as mmaction2's. The speed is the paths benchmark's
(docs/results/inference_paths.json), never asserted here."""
import types

import pytest
import torch
from mmengine.config import Config

from support import REPO, TINY_CONFIG
from dance_style.lean_inference import (InPlaceQuickGELU, LeanSelfAttention,
                                        PackedLinear, _can_pack,
                                        backbone_in_bf16, lean_activations,
                                        views_in_parts)


def _build(config):
    from mmaction.registry import MODELS
    from dance_style.config import prepare
    from dance_style.register import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    return MODELS.build(prepare(str(config)).model).eval()


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_in_place_quick_gelu_computes_mmaction2s_bits(dtype):
    from mmaction.models.backbones.uniformerv2 import QuickGELU
    x = torch.randn(197, 8, 3072, generator=torch.Generator().manual_seed(0)
                    ).to(dtype) * 4
    with torch.no_grad():
        expected = QuickGELU()(x)
        got = InPlaceQuickGELU()(x)
    assert got.dtype == dtype and torch.equal(got, expected)
    assert not torch.equal(x, got)  # the input is not overwritten


def test_in_place_quick_gelu_keeps_autograd_right_where_it_records():
    from mmaction.models.backbones.uniformerv2 import QuickGELU
    x = torch.randn(64, generator=torch.Generator().manual_seed(1))
    grads = []
    for module in (QuickGELU(), InPlaceQuickGELU()):
        leaf = x.clone().requires_grad_()
        module(leaf).sum().backward()  # an in-place version would raise
        grads.append(leaf.grad)
    assert torch.equal(grads[0], grads[1])


def test_uniformerv2_answers_the_same_with_lean_activations():
    model = _build(REPO / 'tests' / 'configs' / 'tiny_uniformerv2.py')
    from mmaction.models.backbones.uniformerv2 import QuickGELU
    gelus = sum(type(m) is QuickGELU for m in model.modules())
    clip = torch.randn(1, 3, 8, 64, 64,
                       generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        before = model.backbone(clip)
        assert lean_activations(model) == gelus > 0
        after = model.backbone(clip)
    assert not any(type(m) is QuickGELU for m in model.modules())
    assert torch.equal(before, after)


def test_bf16_backbone_runs_bf16_and_gives_the_float32_weights_back():
    model = _build(TINY_CONFIG)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    pointers = {k: v.data_ptr() for k, v in model.state_dict().items()}
    clip = torch.randn(1, 3, 8, 64, 64,
                       generator=torch.Generator().manual_seed(3)) * 50
    with torch.no_grad():
        fp32 = model.cls_head(model.backbone(clip))
        restore = backbone_in_bf16(model)
        # the backbone holds bfloat16, the head float32, and the features
        # reach the head as float32
        assert {p.dtype for p in model.backbone.parameters()} == \
            {torch.bfloat16}
        assert {p.dtype for p in model.cls_head.parameters()} == \
            {torch.float32}
        features = model.backbone(clip)
        assert features.dtype == torch.float32
        bf16 = model.cls_head(features)
        assert not torch.equal(bf16, fp32)  # bfloat16 computed it
        assert torch.allclose(bf16.softmax(-1), fp32.softmax(-1), atol=0.05)
        assert backbone_in_bf16(model)  # again: nothing more to convert
        restore()
        again = model.cls_head(model.backbone(clip))
    # float32 back, the same tensors bit for bit (BatchNorm's statistics
    # included), and the hooks gone: the same scores as before
    for key, value in model.state_dict().items():
        assert value.dtype == state[key].dtype, key
        assert torch.equal(value, state[key]), key
        assert value.data_ptr() == pointers[key], key
    assert torch.equal(again, fp32)


@pytest.mark.skipif(not _can_pack(), reason='this torch has no oneDNN '
                    'prepacked linear (not an x86 build)')
def test_packed_linears_and_attention_answer_as_torchs_and_come_undone():
    model = _build(REPO / 'tests' / 'configs' / 'tiny_uniformerv2.py')
    linears = sum(type(m) is torch.nn.Linear for m in model.backbone.modules())
    clip = torch.randn(2, 3, 8, 64, 64,
                       generator=torch.Generator().manual_seed(4)) * 50
    with torch.no_grad():
        fp32 = model.backbone(clip)
        restore = backbone_in_bf16(model)
        packed = [m for m in model.backbone.modules()
                  if isinstance(m, PackedLinear)]
        assert len(packed) == linears > 0
        # a packed linear computes what F.linear computes on its weights
        layer = packed[0]
        x = torch.randn(3, 5, layer.in_features).bfloat16()
        expected = torch.nn.functional.linear(x, layer.weight, layer.bias)
        assert torch.allclose(layer(x).float(), expected.float(),
                              rtol=1e-2, atol=1e-2)
        # self-attention through the lean forward answers as torch's
        attentions = [m for m in model.backbone.modules()
                      if isinstance(m.__dict__.get('forward'),
                                    LeanSelfAttention)]
        assert attentions
        block = attentions[0]
        x = torch.randn(17, 4, block.embed_dim).bfloat16()
        ours, none = block(x, x, x, need_weights=False)
        theirs = torch.nn.MultiheadAttention.forward(block, x, x, x,
                                                     need_weights=False)[0]
        assert none is None and ours.dtype == torch.bfloat16
        assert torch.allclose(ours.float(), theirs.float(), rtol=0.05,
                              atol=0.02 * float(theirs.abs().max()))
        # what it does not cover goes to torch's forward
        assert block(x, x, x, need_weights=True)[1] is not None
        bf16 = model.backbone(clip)
        assert torch.allclose(bf16, fp32, rtol=0.05, atol=0.05 * float(
            fp32.abs().max()))
        restore()
        assert sum(type(m) is torch.nn.Linear
                   for m in model.backbone.modules()) == linears
        assert not any('forward' in m.__dict__ for m in attentions)
        assert torch.equal(model.backbone(clip), fp32)


def test_the_precision_check_leaves_the_model_in_float32(monkeypatch,
                                                          tmp_path):
    from dance_style import infer_precision
    model = _build(TINY_CONFIG)
    model.cfg = Config.fromfile(str(TINY_CONFIG))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    verdict = infer_precision.check_model(model, repeats=1)
    assert verdict.key['form'] == infer_precision.BF16_FORM
    assert verdict.relative > 0  # bfloat16 ran
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key]), key


def _scripted_clock(fp32_seconds, bf16_seconds):
    """A stand-in for the check's clock: each float32 pass takes
    ``fp32_seconds``, each bfloat16 pass ``bf16_seconds`` (they take turns,
    float32 first); ``passes`` counts them."""
    state = dict(calls=0, now=0.0)

    def perf_counter():
        call = state['calls']
        state['calls'] += 1
        if call % 2:  # a pass ends
            bf16 = (call // 2) % 2
            state['now'] += bf16_seconds if bf16 else fp32_seconds
        return state['now']

    clock = types.SimpleNamespace(perf_counter=perf_counter)
    return clock, lambda: state['calls'] // 2


@pytest.mark.parametrize('bf16_seconds,passes,faster', [
    (0.48, 4, True),   # UniFormerV2-B's ratio: two rounds decide
    (1.10, 4, False),  # clearly slower: two rounds decide too
    (0.85, 8, True),   # near the 0.9 threshold: every round
    (0.95, 8, False),
])
def test_the_precision_check_stops_early_only_where_the_ratio_is_clear(
        monkeypatch, bf16_seconds, passes, faster):
    from dance_style import infer_precision
    model = _build(TINY_CONFIG)
    model.cfg = Config.fromfile(str(TINY_CONFIG))
    clock, counted = _scripted_clock(1.0, bf16_seconds)
    monkeypatch.setattr(infer_precision, 'time', clock)
    verdict = infer_precision.check_model(model, repeats=3)
    assert counted() == passes
    assert verdict.faster is faster
    assert (verdict.fp32_seconds, verdict.bf16_seconds) == (1.0,
                                                            bf16_seconds)


def test_a_large_batch_of_views_goes_through_in_parts_with_the_same_scores():
    model = _build(TINY_CONFIG)
    clips = torch.randn(5, 3, 8, 64, 64,
                        generator=torch.Generator().manual_seed(5)) * 50
    with torch.no_grad():
        whole = model.backbone(clips)
        calls = []
        first = next(m for m in model.backbone.modules()
                     if isinstance(m, torch.nn.Conv3d))
        first.register_forward_pre_hook(
            lambda _m, args: calls.append(args[0].shape[0]))
        # two clips' pixels a call: 2 + 2 + 1
        views_in_parts(model, pixels=2 * 8 * 64 * 64)
        parts = model.backbone(clips)
        assert calls == [2, 2, 1]
        assert parts.shape == whole.shape
        # float32 sums in another order: equal to a millionth of the scale
        assert torch.allclose(parts, whole, rtol=1e-4,
                              atol=1e-5 * float(whole.abs().max()))
        calls.clear()
        model.backbone(clips[:2])  # within the budget: one call
        assert calls == [2]
    # where autograd records (training), one call as before
    calls.clear()
    model.backbone(clips[:3])
    assert calls == [3]


def test_views_go_in_parts_on_a_cpu_only():
    from dance_style.infer_precision import use_precision
    on_cpu = _build(TINY_CONFIG)
    use_precision(on_cpu, 'fp32')
    assert 'forward' in on_cpu.backbone.__dict__
    elsewhere = _build(TINY_CONFIG).to('meta')  # as a GPU's would be
    use_precision(elsewhere, 'fp32')
    assert 'forward' not in elsewhere.backbone.__dict__
