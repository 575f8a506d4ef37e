"""Numerics that are checked, not assumed: the bfloat16 check decides the
training precision, and a non-finite loss or gradient ends a run at once.

On the CPUs of this project's machines both failures are real (an AMD EPYC
whose oneDNN bf16 path gives NaN weight gradients, see
dance_style/bf16_check.py); on others they are not, so these tests inject
the fault where it would come from: a gradient that turns NaN under bf16
autocast only, a NaN gradient at a chosen iteration, a learning rate that
blows up."""
import json
import math
import os
import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook

from support import TINY_CONFIG, run_tool, train_subset
from dance_style import bf16_check, precision
from dance_style.bf16_check import Bf16Verdict, Passes, compare
from dance_style.errors import DanceStyleError
from dance_style.nonfinite import NonFiniteTraining
from dance_style.records import read_record


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own verdict cache, and a CPU that has the bf16
    instructions whatever CPU runs the test."""
    monkeypatch.setenv('DANCE_STYLE_CACHE_DIR', str(tmp_path / 'cache'))
    monkeypatch.setattr(precision, 'cpu_flags',
                        lambda: {'avx512f', 'avx512_bf16'})


def _passes(losses, grads, seconds=1.0):
    passes = Passes(losses=list(losses), grads=list(grads), seconds=seconds,
                    count=len(losses))
    passes.nonfinite = {name for g in grads for name, v in g.items()
                        if not torch.isfinite(v).all()}
    return passes


def test_compare_needs_finite_values_and_agreement():
    torch.manual_seed(0)
    grads = {'a': torch.randn(100), 'b': torch.randn(10, 10)}
    fp32 = _passes([2.0], [grads], seconds=1.0)
    # bf16 rounding (relative 2**-9) keeps the verdict
    rounded = {k: v.bfloat16().float() for k, v in grads.items()}
    verdict = compare(fp32, _passes([2.001], [rounded], seconds=0.5))
    assert verdict.right and verdict.faster, verdict.reason
    assert verdict.grad_cosine > 0.999 and verdict.loss_rel < 1e-3
    # slower: right, and auto will not pick it
    assert not compare(fp32, _passes([2.0], [rounded], seconds=2.0)).faster
    # one NaN gradient fails it, and names the parameter
    broken = dict(rounded, b=rounded['b'].clone())
    broken['b'][3, 4] = float('nan')
    verdict = compare(fp32, _passes([2.0], [broken]))
    assert not verdict.right and verdict.nonfinite == ['b']
    assert 'non-finite' in verdict.reason and 'b' in verdict.reason
    # finite but wrong: a gradient pointing elsewhere, a loss 10 % off
    other = {k: torch.randn_like(v) for k, v in grads.items()}
    verdict = compare(fp32, _passes([2.0], [other]))
    assert not verdict.right and 'grad_cosine' in verdict.reason
    verdict = compare(fp32, _passes([2.2], [rounded]))
    assert not verdict.right and 'loss_rel' in verdict.reason


class _NaNGradUnderBf16(torch.autograd.Function):
    """Identity forward; a NaN gradient for the input, as the Zen 4
    kernel's weight gradients, but only under bf16 autocast."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * float('nan')


def _inject_bf16_nan(monkeypatch):
    """The tiny model, with its stem's gradient NaN under bf16 autocast."""
    from dance_style.benchmark import speed
    build = speed.build_recognizer

    def build_faulty(cfg, device):
        model = build(cfg, device)

        def hook(module, args, output):
            if torch.is_autocast_enabled('cpu'):
                return _NaNGradUnderBf16.apply(output)
            return output
        model.backbone.conv1.conv.register_forward_hook(hook)
        return model
    monkeypatch.setattr(speed, 'build_recognizer', build_faulty)


def test_a_wrong_bf16_falls_back_to_fp32_and_is_cached(monkeypatch):
    _inject_bf16_nan(monkeypatch)
    cfg = Config.fromfile(TINY_CONFIG)
    lines = []
    assert bf16_check.auto_bf16(cfg, log=lines.append) is False
    assert lines[0].startswith('bf16 check: bfloat16 gives non-finite')
    assert 'backbone.conv1.conv.weight' in lines[0]
    assert lines[-1] == ('precision auto: float32 (bfloat16 is not right '
                         'on this CPU)')
    cache = Path(bf16_check.cache_dir()) / bf16_check.CACHE_NAME
    (key, record), = json.loads(cache.read_text()).items()
    assert record['right'] is False and json.loads(key)['torch'] == \
        torch.__version__
    # the second time: from the cache, no model run
    def checked_again(*args, **kwargs):
        raise AssertionError('checked again')
    monkeypatch.setattr(bf16_check, 'check_bf16', checked_again)
    with pytest.raises(DanceStyleError, match='--amp refused: bfloat16 '
                       'gives non-finite'):
        bf16_check.require_bf16(cfg, log=lines.append)
    assert lines[-1].startswith('bf16 check (cached): ')
    # another oneDNN limit is another CPU path: checked anew
    other = 'AVX512_CORE' if os.environ.get('ONEDNN_MAX_CPU_ISA') == \
        'AVX2' else 'AVX2'  # make test-avx2 runs this under AVX2
    monkeypatch.setenv('ONEDNN_MAX_CPU_ISA', other)
    with pytest.raises(AssertionError, match='checked again'):
        bf16_check.auto_bf16(cfg, log=lines.append)


def test_the_real_check_compares_the_real_model():
    """No injection: the tiny model on this CPU. Whatever the verdict,
    both runs were real: finite float32 losses, and bf16 either right (and
    then close) or wrong with the reason."""
    cfg = Config.fromfile(TINY_CONFIG)
    verdict = bf16_check.check_bf16(cfg)
    assert verdict.step_s['fp32'] > 0 and verdict.step_s['bf16'] > 0
    assert verdict.bf16_passes >= bf16_check.MIN_BF16_PASSES or \
        verdict.nonfinite
    if verdict.right:
        assert verdict.grad_cosine >= bf16_check.TOLERANCE['grad_cosine']
    else:
        assert verdict.reason.startswith('bfloat16 ')


@pytest.mark.kernel_free
def test_amp_refuses_where_the_check_fails_and_without_instructions(
        monkeypatch, tmp_path):
    from dance_style.train import apply_train_args, preflight
    _inject_bf16_nan(monkeypatch)
    cfg = apply_train_args(Config.fromfile(TINY_CONFIG), str(TINY_CONFIG),
                           work_dir=str(tmp_path), amp=True)
    if torch.cuda.is_available():
        return  # AmpOptimWrapper: the GPU's float16 has its loss scaler
    with pytest.raises(DanceStyleError, match='--amp refused'):
        preflight(cfg)
    monkeypatch.setattr(precision, 'cpu_flags', lambda: {'avx2'})
    with pytest.raises(DanceStyleError, match='no AVX512-BF16 or AMX'):
        preflight(cfg)


class NaNGradientAt(Hook):
    """Turns one gradient NaN at iteration ``at`` (counted from 1), and
    keeps the model to look at afterwards."""

    def __init__(self, at: int):
        self.at = at
        self.model = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.model = runner.model
        if runner.iter + 1 == self.at:
            weight = runner.model.cls_head.fc_cls.weight
            handle = weight.register_hook(
                lambda grad: (handle.remove(), grad * float('nan'))[1])


def test_a_nan_gradient_stops_training_at_that_iteration(easy_dataset,
                                                         tmp_path):
    """3 iterations an epoch (24 clips at batch 8): a NaN gradient at
    iteration 5 stops the run there, before the step, with the epoch-1
    checkpoint named and the weights still finite."""
    from dance_style.config import load_config
    from dance_style.train import apply_train_args, train
    subset = train_subset(Path(easy_dataset), tmp_path / 'train.txt')
    cfg = apply_train_args(
        load_config(str(TINY_CONFIG)), str(TINY_CONFIG),
        work_dir=str(tmp_path / 'work'), data_root=str(easy_dataset),
        no_validate=True, seed=0,
        cfg_options={'train_dataloader.dataset.ann_file': str(subset),
                     'train_cfg.max_epochs': 3})
    injector = NaNGradientAt(5)
    with pytest.raises(NonFiniteTraining) as error:
        train(cfg, hooks=[injector])
    message = str(error.value)
    # the demo's schedule clips gradients, which would spread the NaN norm
    # to every gradient: the message names where it started
    assert message.startswith('training stopped at iteration 5 of 9 '
                              '(epoch 2): non-finite gradients in 1 '
                              'parameters (first: cls_head.fc_cls.weight)')
    assert re.search(r'Last good checkpoint: \S+epoch_1\.pth', message)
    assert 'learning rate' in message
    assert all(torch.isfinite(p).all()
               for p in injector.model.parameters())
    assert not (tmp_path / 'work' / 'epoch_2.pth').exists()


def test_train_tool_stops_on_a_diverging_learning_rate(easy_dataset,
                                                       tmp_path):
    """The user's path: an absurd learning rate, tools/train.py ends with
    the message (no traceback, exit 2) within the first iterations."""
    subset = train_subset(Path(easy_dataset), tmp_path / 'train.txt')
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                    tmp_path / 'work', '--data-root', easy_dataset,
                    '--no-validate', '--cfg-options',
                    'optim_wrapper.optimizer.lr=1e30',
                    f'train_dataloader.dataset.ann_file={subset}',
                    check=False)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    found = re.search(r'training stopped at iteration (\d+) of \d+',
                      proc.stderr)
    assert found, proc.stderr[-3000:]
    assert int(found.group(1)) <= 3
    assert 'Last good checkpoint: none yet' in proc.stderr
    # nothing after the stop: no checkpoint was written
    assert not list((tmp_path / 'work').glob('*.pth'))


def _refuse(constant):
    raise AssertionError(f'{constant} in the JSON')


@pytest.mark.kernel_free
def test_verdict_json_has_no_nan(monkeypatch):
    _inject_bf16_nan(monkeypatch)
    bf16_check.bf16_verdict(Config.fromfile(TINY_CONFIG), log=lambda _: 0)
    text = (Path(bf16_check.cache_dir()) / bf16_check.CACHE_NAME).read_text()
    json.loads(text, parse_constant=_refuse)  # strict JSON
    verdict = bf16_check.bf16_verdict(Config.fromfile(TINY_CONFIG),
                                      log=lambda _: 0)
    assert verdict.cached and math.isnan(verdict.grad_cosine)
    assert isinstance(verdict, Bf16Verdict)


@pytest.mark.kernel_free
def test_check_bf16_tool_writes_a_record(tmp_path):
    out = tmp_path / 'record.json'
    proc = run_tool('tools/check_bf16.py', TINY_CONFIG, '--repeats', '2',
                    '--json', out)
    record = json.loads(out.read_text(), parse_constant=_refuse)
    assert read_record(out) == record  # a run record, strict JSON
    assert record['command'].startswith('python tools/check_bf16.py ')
    assert record['commit'] and record['machine']['cores'] >= 1
    # step times are figures: the CPU probe goes with them
    assert record['probe']['gflops_1_thread'] > 0
    figures = record['figures']
    assert figures['repeats'] == 2 and len(figures['runs']) == 2
    assert figures['right'] == sum(run['right'] for run in figures['runs'])
    assert all(run['step_s']['fp32'] > 0 for run in figures['runs'])
    assert figures['torch'] == torch.__version__
    assert proc.stderr.count('bf16 check: ') == 2
    # fresh checks: the cache was neither read nor written
    assert not (Path(bf16_check.cache_dir()) / bf16_check.CACHE_NAME).exists()


@pytest.mark.kernel_free
def test_a_nan_under_bf16_marks_bf16_wrong_for_the_next_run(
        easy_dataset, tmp_path, monkeypatch):
    """A bf16 run stopped by a NaN (here injected at iteration 2, if this
    CPU's own kernels do not give one first) records a failed verdict, so
    precision auto takes float32 next time even where the check passed."""
    from dance_style.config import load_config
    from dance_style.train import apply_train_args, train
    monkeypatch.setattr(bf16_check, 'require_bf16', lambda cfg: None)
    subset = train_subset(Path(easy_dataset), tmp_path / 'train.txt')
    cfg = apply_train_args(
        load_config(str(TINY_CONFIG)), str(TINY_CONFIG),
        work_dir=str(tmp_path / 'work'), data_root=str(easy_dataset),
        no_validate=True, seed=0, amp=not torch.cuda.is_available(),
        cfg_options={'train_dataloader.dataset.ann_file': str(subset)})
    if torch.cuda.is_available():
        return  # --amp is the GPU's AmpOptimWrapper there
    assert cfg.optim_wrapper.type == 'CPUAutocastOptimWrapper'
    with pytest.raises(NonFiniteTraining,
                       match=r'(?s)iteration [12] of .*bfloat16 autocast '
                       'on this CPU'):
        train(cfg, hooks=[NaNGradientAt(2)])
    lines = []
    assert bf16_check.auto_bf16(load_config(str(TINY_CONFIG)),
                                log=lines.append) is False
    assert lines[0].startswith('bf16 check (cached): a training run '
                               'failed: non-finite')


def test_nonfinite_grads_names_the_parameters():
    """The check of the float16 path (AmpOptimWrapper), where the pre-step
    hook reads the gradients the GradScaler lets through."""
    from dance_style.nonfinite import nonfinite_grads
    a, b = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(
        torch.ones(2))
    optimizer = torch.optim.SGD([{'params': [a]}, {'params': [b]}], lr=1)
    a.grad, b.grad = torch.ones(3), torch.ones(2)
    assert nonfinite_grads(optimizer) == []
    b.grad[1] = float('inf')
    assert nonfinite_grads(optimizer) == ['1/0']
