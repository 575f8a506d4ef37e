"""A progress bar for long runs (mmengine only logs every N iterations)."""
from typing import Optional

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """tqdm bars over training iterations and over val/test batches.

    Shows epoch, loss and an ETA on one line while the LoggerHook keeps
    writing its periodic records. Only rank 0 draws. A resumed run starts the
    bar at the iteration it resumed from.

    Args:
        eval_bars (bool): Also draw a bar per validation/test run.
            Defaults to True.
    """

    priority = 'VERY_LOW'

    def __init__(self, eval_bars: bool = True) -> None:
        self.eval_bars = eval_bars
        self._train_bar = None
        self._eval_bar = None

    @staticmethod
    def _bar(total: int, desc: str, initial: int = 0):
        from tqdm import tqdm
        return tqdm(total=total, initial=initial, desc=desc, unit='it',
                    dynamic_ncols=True, leave=True)

    def before_train(self, runner) -> None:
        if is_main_process():
            self._train_bar = self._bar(runner.max_iters, 'train',
                                        initial=runner.iter)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        if self._train_bar is None:
            return
        postfix = {'epoch': f'{runner.epoch + 1}/{runner.max_epochs}'}
        if outputs and 'loss' in outputs:
            postfix['loss'] = f"{float(outputs['loss']):.3f}"
        self._train_bar.set_postfix(postfix, refresh=False)
        self._train_bar.update(1)

    def after_train(self, runner) -> None:
        if self._train_bar is not None:
            self._train_bar.close()
            self._train_bar = None

    def _open_eval(self, runner, loader, desc: str) -> None:
        if self.eval_bars and is_main_process():
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
