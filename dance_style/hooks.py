"""Hooks of every dance config: a progress bar, the per-epoch training loss
for the curves, and a check that distributed ranks stayed in sync."""
import os
import sys
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook


def _value(loss) -> float:
    """A logged loss as a float (detached: no autograd warning)."""
    return float(loss.detach() if hasattr(loss, 'detach') else loss)


PROGRESS_ENV = 'DANCE_STYLE_PROGRESS'


def progress_wanted() -> bool:
    """Whether training bars are wanted here: ``DANCE_STYLE_PROGRESS`` if
    set to 0 or 1, else whether stderr is a terminal."""
    setting = os.environ.get(PROGRESS_ENV, '').strip()
    if setting in ('0', '1'):
        return setting == '1'
    return sys.stderr.isatty()


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """tqdm bars over training iterations and over val/test batches.

    Shows epoch, loss and an ETA on one line while the LoggerHook keeps
    writing its periodic records. Only rank 0 draws. A resumed run starts the
    bar at the iteration it resumed from.

    Bars are for people: they are drawn when stderr is a terminal, and not
    into a log file, a pipe or a test's captured output (where each redraw
    would be a line of noise), so no config needs to drop this hook.
    ``DANCE_STYLE_PROGRESS=1`` or ``0`` overrides that.

    Args:
        eval_bars (bool): Also draw a bar per validation/test run.
            Defaults to True.
        enabled (bool, optional): Draw bars at all; None (default) decides
            as above.
    """

    priority = 'VERY_LOW'

    def __init__(self, eval_bars: bool = True,
                 enabled: Optional[bool] = None) -> None:
        self.eval_bars = eval_bars
        self.enabled = progress_wanted() if enabled is None else enabled
        self._train_bar = None
        self._eval_bar = None

    @staticmethod
    def _bar(total: int, desc: str, initial: int = 0):
        from tqdm import tqdm
        return tqdm(total=total, initial=initial, desc=desc, unit='it',
                    dynamic_ncols=True, leave=True)

    def before_train(self, runner) -> None:
        if self.enabled and is_main_process():
            self._train_bar = self._bar(runner.max_iters, 'train',
                                        initial=runner.iter)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if self._train_bar is None:
            return
        postfix = {'epoch': f'{runner.epoch + 1}/{runner.max_epochs}'}
        if outputs and 'loss' in outputs:
            postfix['loss'] = f"{_value(outputs['loss']):.3f}"
        self._train_bar.set_postfix(postfix, refresh=False)
        self._train_bar.update(1)

    def after_train(self, runner) -> None:
        if self._train_bar is not None:
            self._train_bar.close()
            self._train_bar = None

    def _open_eval(self, runner, loader, desc: str) -> None:
        if self.enabled and self.eval_bars and is_main_process():
            self._eval_bar = self._bar(len(loader), desc)

    def _step_eval(self) -> None:
        if self._eval_bar is not None:
            self._eval_bar.update(1)

    def _close_eval(self) -> None:
        if self._eval_bar is not None:
            self._eval_bar.close()
            self._eval_bar = None

    def before_val_epoch(self, runner) -> None:
        self._open_eval(runner, runner.val_loop.dataloader, 'val')

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self._step_eval()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._close_eval()

    def before_test_epoch(self, runner) -> None:
        self._open_eval(runner, runner.test_loop.dataloader, 'test')

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._step_eval()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._close_eval()


@HOOKS.register_module()
class EpochLossHook(Hook):
    """Log each epoch's mean training loss, over all its iterations.

    The LoggerHook logs a loss smoothed over its window every N
    iterations; the study's Table 1 wants one training loss per epoch. This
    hook averages every iteration's loss (weighted by batch size) and writes
    ``{"train_loss": x, "step": epoch}`` into the run's ``scalars.json``,
    beside the validation line with ``acc/top1`` and ``val_loss``
    (:class:`dance_style.metrics.ValidationLoss`). ``tools/plot_curves.py``
    reads both.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self) -> None:
        self._total = 0.0
        self._count = 0

    def before_train_epoch(self, runner) -> None:
        self._total, self._count = 0.0, 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if not outputs or 'loss' not in outputs:
            return
        size = len(data_batch['inputs']) if data_batch else 1
        self._total += _value(outputs['loss']) * size
        self._count += size

    def after_train_epoch(self, runner) -> None:
        if self._count and is_main_process():
            # runner.epoch counts from 0 until this epoch's hooks are done;
            # the validation line of the same epoch has step epoch + 1
            runner.visualizer.add_scalars(
                {'train_loss': self._total / self._count},
                step=runner.epoch + 1)


def weights_digest(state_dict) -> str:
    """SHA-1 of every tensor of a state dict, in key order: equal digests
    mean bit-identical weights."""
    import hashlib
    digest = hashlib.sha1()
    for name in sorted(state_dict):
        digest.update(name.encode('utf-8'))
        digest.update(state_dict[name].detach().cpu().contiguous().numpy()
                      .tobytes())
    return digest.hexdigest()


@HOOKS.register_module()
class RankConsistencyHook(Hook):
    """At the end of distributed training, check that every rank holds the
    same weights (parameters and synchronised buffers), bit for bit.

    DistributedDataParallel keeps replicas equal only as long as every rank
    applies the same averaged gradients; a rank-dependent code path
    (an unused parameter, a buffer left unsynchronised) makes them drift
    silently, and only rank 0's copy is saved. Costs one all-gather of a
    hash. Logs ``model weights identical on N ranks (sha1 ...)`` or raises.
    Does nothing in a single-process run.
    """

    priority = 'LOWEST'  # after SyncBuffersHook and the checkpoint

    def after_train(self, runner) -> None:
        from mmengine.dist import all_gather_object, get_world_size
        from mmengine.model import is_model_wrapper
        if get_world_size() < 2:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        digests = all_gather_object(weights_digest(model.state_dict()))
        if len(set(digests)) != 1:
            raise RuntimeError(
                'model weights differ between ranks after training: '
                + ', '.join(f'rank {r}: {d[:12]}'
                            for r, d in enumerate(digests)))
        runner.logger.info(
            f'model weights identical on {len(digests)} ranks '
            f'(sha1 {digests[0]})')
