"""Report validation accuracy to an Optuna trial and stop it when pruned."""
from typing import Dict, Optional

from mmaction.registry import HOOKS
from mmengine.hooks import Hook

from ..errors import DanceStyleError


@HOOKS.register_module()
class OptunaPruningHook(Hook):
    """After every validation, report ``monitor`` to an Optuna trial; when
    the trial's pruner says stop, end training after this epoch.

    The stop goes through the train loop's ``stop_training`` flag (as
    mmengine's EarlyStoppingHook), not an exception: the epoch's checkpoint
    and logs are written and every hook's ``after_train``/``after_run``
    runs. The sweep then sees :attr:`pruned_at` and records the trial as
    PRUNED rather than FAILED.

    The sweep builds it with the live trial object and registers it on the
    Runner itself (a trial cannot travel through a config file).

    Args:
        trial (optuna.trial.Trial): The trial being run.
        monitor (str): Validation metric to report. Defaults to
            ``'acc/top1'`` (mmaction2's AccMetric).
    """

    # before the CheckpointHook (VERY_LOW): the epoch's best checkpoint is
    # saved either way, stop_training only ends the loop afterwards
    priority = 'LOW'

    def __init__(self, trial, monitor: str = 'acc/top1') -> None:
        self.trial = trial
        self.monitor = monitor
        self.reported: Dict[int, float] = {}
        self.pruned_at: Optional[int] = None
        self.epochs_trained = 0

    def before_train(self, runner) -> None:
        # the pruner's steps are epochs; an iteration-based loop would
        # report every validation at epoch 0 (Optuna ignores repeats)
        from mmengine.runner import EpochBasedTrainLoop
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            raise DanceStyleError(
                'sweeps prune by epoch: the config needs train_cfg with '
                "type='EpochBasedTrainLoop'")

    def after_train_epoch(self, runner) -> None:
        self.epochs_trained = runner.epoch + 1

    def after_val_epoch(self, runner,
                        metrics: Optional[Dict[str, float]] = None) -> None:
        if metrics is None:
            return
        if self.monitor not in metrics:
            raise DanceStyleError(
                f'the sweep monitors {self.monitor!r} but validation logged '
                f'only {sorted(metrics)}; pass --monitor with one of these')
        # validation inside training follows epoch N, where runner.epoch is
        # already N: the step is the number of epochs trained
        step = runner.epoch
        value = float(metrics[self.monitor])
        self.reported[step] = value
        self.trial.report(value, step)
        if self.trial.should_prune():
            self.pruned_at = step
            runner.train_loop.stop_training = True
            runner.logger.info(
                f'Optuna trial {self.trial.number} pruned after epoch {step} '
                f'({self.monitor} {value:.4f}); stopping')

    @property
    def best(self) -> Optional[float]:
        """The best reported value (the trial's objective)."""
        return max(self.reported.values()) if self.reported else None
