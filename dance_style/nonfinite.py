"""Training stops at the first non-finite loss or gradient, with a message.

A NaN does not crash PyTorch: the optimizer writes it into every weight,
mmengine logs ``loss: nan`` for the rest of the run, and the run goes on to
save, test and predict with a model full of NaN (issue 26: the demo trained
11 epochs so on a CPU whose bfloat16 convolutions return NaN gradients).

:class:`NonFiniteHook` checks the gradients in a pre-step hook of the
optimizer, so the step that would write a NaN into the weights never runs
and the last checkpoint stays good, and the loss after each iteration. Under
a GPU's float16 ``AmpOptimWrapper`` the GradScaler skips the optimizer's step
on an overflow (and lowers its scale), so the pre-step hook sees only the
steps that would really be taken.
"""
import math
import os.path as osp
from typing import List, Optional

from mmaction.registry import HOOKS
from mmengine.hooks import Hook

from .errors import DanceStyleError


class NonFiniteTraining(DanceStyleError):
    """Training hit a non-finite loss or gradient. A problem of this run
    (its precision, learning rate or data), not of the set-up: a sweep fails
    the trial and goes on."""


def _optimizers(runner) -> list:
    from mmengine.optim import OptimWrapperDict
    wrapper = runner.optim_wrapper
    wrappers = wrapper.values() if isinstance(wrapper, OptimWrapperDict) \
        else [wrapper]
    return [w.optimizer for w in wrappers]


def nonfinite_grads(optimizer) -> List[str]:
    """Indices ``group/param`` of the parameters with a non-finite
    gradient (empty when all are finite)."""
    import torch
    grads, where = [], []
    for g, group in enumerate(optimizer.param_groups):
        for p, param in enumerate(group['params']):
            if param.grad is not None:
                grads.append(param.grad)
                where.append((g, p))
    if not grads:
        return []
    # one fused reduction per dtype and device: a few ms against a step
    norms = torch.stack([n.float() for n in torch._foreach_norm(grads)])
    if bool(torch.isfinite(norms).all()):
        return []
    return [f'{g}/{p}' for (g, p), ok in zip(where, torch.isfinite(norms))
            if not ok]


@HOOKS.register_module()
class NonFiniteHook(Hook):
    """End the run at the first non-finite loss or gradient norm.

    Raises :class:`NonFiniteTraining` naming the iteration, the value, the
    parameters, the last good checkpoint and the likely causes. Under
    bfloat16 autocast on a CPU it also records in the bf16 check's cache
    that bfloat16 failed here, so ``precision: auto`` trains the next run in
    float32 (:mod:`dance_style.bf16_check`).
    """

    priority = 'VERY_HIGH'  # before the loss reaches any logger

    def __init__(self) -> None:
        self._handles = []
        self._runner = None
        self._watched = False  # gradients checked as backward writes them
        self._bad = []  # this iteration's parameters with non-finite ones

    def before_train(self, runner) -> None:
        self._runner = runner
        for optimizer in _optimizers(runner):
            self._handles.append(optimizer.register_step_pre_hook(
                self._check_gradients))
        # Each gradient is checked once, as backward finishes it: that names
        # where a NaN starts, before clip_grad multiplies every gradient by
        # the NaN norm, and the optimizer's pre-step hook then only reads
        # the result. float16 gradients (AmpOptimWrapper) are scaled and may
        # overflow on purpose; there the pre-step hook checks what the
        # GradScaler lets through.
        self._watched = type(runner.optim_wrapper).__name__ != \
            'AmpOptimWrapper'
        if self._watched:
            from mmengine.model import is_model_wrapper
            model = runner.model.module if is_model_wrapper(
                runner.model) else runner.model
            for name, param in model.named_parameters():
                if param.requires_grad:
                    self._handles.append(
                        param.register_post_accumulate_grad_hook(
                            self._watch(name)))

    def _watch(self, name: str):
        def check(param) -> None:
            if not bool(param.grad.isfinite().all()):
                self._bad.append(name)
        return check

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        self._bad = []

    def after_train(self, runner) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _check_gradients(self, optimizer, args, kwargs) -> None:
        if self._watched:
            names = list(dict.fromkeys(self._bad))  # once each, in order
        else:
            names = _parameter_names(self._runner, optimizer,
                                     nonfinite_grads(optimizer))
        if names:
            self._stop(f'non-finite gradients in {len(names)} parameters '
                       f'(first: {", ".join(names[:3])}); the step was not '
                       'taken, the weights are as before it')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        losses = {k: float(v.detach() if hasattr(v, 'detach') else v)
                  for k, v in (outputs or {}).items()
                  if 'loss' in k and _is_number(v)}
        bad = {k: v for k, v in losses.items() if not math.isfinite(v)}
        if bad:
            self._stop('non-finite loss: ' + ', '.join(
                f'{k}={v}' for k, v in bad.items()))

    def _stop(self, what: str) -> None:
        runner = self._runner
        # runner.iter counts from 0 until this iteration's hooks are done
        where = (f'iteration {runner.iter + 1} of {runner.max_iters} '
                 f'(epoch {runner.epoch + 1})')
        wrapper = type(runner.optim_wrapper).__name__
        causes = []
        if wrapper == 'CPUAutocastOptimWrapper':
            _record_bf16_failure(runner, f'{what} at {where}')
            causes.append(
                'bfloat16 autocast on this CPU (--amp, or the demo\'s '
                'precision auto): its oneDNN path can compute wrong values. '
                'Train in float32: leave out --amp (tools/demo.py '
                '--precision fp32); precision auto now knows (recorded in '
                'the bf16 check cache)')
        elif wrapper == 'AmpOptimWrapper':
            causes.append('float16 mixed precision: try without --amp, or '
                          "optim_wrapper.dtype='bfloat16' on a GPU that has "
                          'it')
        causes.append('a learning rate too high for this model and batch: '
                      'lower optim_wrapper.optimizer.lr, or add '
                      'optim_wrapper.clip_grad (--cfg-options)')
        causes.append('a corrupt input (a clip of constant or garbage '
                      'frames)')
        raise NonFiniteTraining(
            f'training stopped at {where}: {what}.\n'
            f'Last good checkpoint: {_last_checkpoint(runner)}\n'
            'Likely causes:\n' + '\n'.join(f'  * {c}' for c in causes))


def _is_number(value) -> bool:
    import torch
    return isinstance(value, (int, float)) or (
        torch.is_tensor(value) and value.numel() == 1)


def _parameter_names(runner, optimizer, indices: List[str]) -> List[str]:
    """``group/param`` indices as the model's parameter names."""
    from mmengine.model import is_model_wrapper
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    names = {id(p): n for n, p in model.named_parameters()}
    out = []
    for index in indices:
        g, p = (int(i) for i in index.split('/'))
        param = optimizer.param_groups[g]['params'][p]
        out.append(names.get(id(param), index))
    return out


def _last_checkpoint(runner) -> str:
    from mmengine.runner.checkpoint import find_latest_checkpoint
    latest = find_latest_checkpoint(runner.work_dir) \
        if osp.isdir(runner.work_dir) else None
    if latest:
        return (f'{latest} (continue from it with --resume, after changing '
                'what caused this)')
    return 'none yet (this run saved none before it stopped)'


def _record_bf16_failure(runner, reason: str) -> None:
    """Tell the bf16 check's cache that bfloat16 failed with this model on
    this CPU, whatever the check had found (its NaN can be intermittent)."""
    from .bf16_check import record_failure
    try:
        record_failure(runner.cfg, reason)
    except Exception as error:  # noqa: BLE001  the stop message matters more
        runner.logger.warning(f'could not record the bf16 failure: {error}')
