"""Shared pieces of the thin command-line tools in ``tools/`` and
``data_prep/``. Light: mmengine is imported only when a tool uses it."""
import argparse
import contextlib
import logging
import sys
from typing import Callable

from .errors import DanceStyleError


class ConfigOptionsAction(argparse.Action):
    """``--cfg-options key=value ...`` as mmengine's ``DictAction``, except
    that a plain value keeps its spaces.

    mmengine removes every space from every value (``'easy data/videos'``
    becomes ``'easydata/videos'``), which silently breaks the Kinetics
    layout, whose class folders have spaces (``tap dancing/``). Lists and
    tuples (``[a, b]``, ``(1, 2)``, ``a,b``) are parsed exactly as mmengine
    does; a value without brackets or commas is kept verbatim (quotes around
    it stripped) and then typed as int, float, bool or None as before.
    A word without ``=`` is a usage error, not a traceback.
    """

    @staticmethod
    def _parse_value(val: str):
        from mmengine.config import DictAction
        bare = val.strip('\'"')
        if bare[:1] in '([' or ',' in bare:
            return DictAction._parse_iterable(val)
        return DictAction._parse_int_float_bool(bare)

    def __call__(self, parser, namespace, values, option_string=None):
        options = dict(getattr(namespace, self.dest, None) or {})
        for word in values or ():
            key, sep, val = word.partition('=')
            if not sep or not key:
                parser.error(f'{option_string}: expected key=value, got '
                             f'{word!r} (e.g. train_cfg.max_epochs=2)')
            options[key] = self._parse_value(val)
        setattr(namespace, self.dest, options)


def add_run_flags(parser: argparse.ArgumentParser, run: str,
                  work_dir_holds: str, example: str) -> None:
    """The flags ``tools/train.py`` and ``tools/test.py`` share: where the
    run writes, which dataset it reads, config overrides and the launcher.
    ``run`` names the run in help texts (training, testing)."""
    parser.add_argument(
        '--work-dir',
        help=f'folder for {work_dir_holds} (default: work_dirs/<config '
        'name>)')
    parser.add_argument(
        '--data-root', metavar='DIR',
        help='dataset folder for every split: lists read from '
        'DIR/annotations (annotations/ for data/dance19; their file names '
        'kept), clips relative to DIR; e.g. data/synthetic_dance19 '
        '(default: the config\'s paths)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=ConfigOptionsAction,
        help=f'override config keys, key=value (e.g. {example})')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help=f'job launcher for distributed {run} (pytorch = torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0,
                        help='set by torch.distributed.launch; prefer '
                        'torchrun, which sets LOCAL_RANK')


def add_segment_flags(parser) -> None:
    """--switch-penalty, --min-segment and --unsure-below, the timeline's
    segment rules (dance_style/segments.py), for predict --timeline and the
    web page. Left out, they (and --smooth) come from the config's
    tools/tune_timeline.py record where there is one
    (:func:`dance_style.timeline_tuning.resolve_settings`)."""
    parser.add_argument('--switch-penalty', type=float, default=None,
                        metavar='COST',
                        help='timeline: every change of style costs COST '
                        '(in log-probability x seconds of its windows), so '
                        'a style changes only where the windows favour the '
                        'new one by more than that: a flicker is not read '
                        'as a change (default: the choice of the config\'s '
                        'tools/tune_timeline.py record, else 0: off)')
    parser.add_argument('--min-segment', type=float, default=None,
                        metavar='SECONDS',
                        help='timeline: a segment shorter than SECONDS goes '
                        'to the neighbouring style its own windows favour, '
                        'so a flicker of the top style is not read as a '
                        'change (default: the choice of the config\'s '
                        'tools/tune_timeline.py record, else 0: off)')
    parser.add_argument('--unsure-below', type=float, default=None,
                        metavar='P',
                        help='timeline: label "unsure" the windows whose top '
                        'probability is below P, 0 to 1 (default: the '
                        'choice of the config\'s tools/tune_timeline.py '
                        'record, else 0: off)')


def parse_size(text: str, flag: str = '--size'):
    """``'360x640'`` -> ``(360, 640)``: a frame size, HEIGHTxWIDTH in
    pixels; a clear error naming ``flag`` otherwise."""
    try:
        height, width = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise DanceStyleError(f'{flag} {text!r}: give HEIGHTxWIDTH in '
                              'pixels, e.g. 360x640') from None
    if height < 1 or width < 1:
        raise DanceStyleError(f'{flag} {text!r}: both sides must be at '
                              'least 1 pixel')
    return height, width


@contextlib.contextmanager
def logs_to_stderr():
    """Keep stdout for a tool's results (``--json`` output a script can
    parse): mmengine's logger, which writes to stdout, and plain prints of
    the libraries go to stderr inside this block."""
    from mmengine.logging import MMLogger
    moved = [
        handler for handler in MMLogger.get_current_instance().handlers
        if isinstance(handler, logging.StreamHandler)
        and handler.stream is sys.stdout
    ]
    for handler in moved:
        handler.setStream(sys.stderr)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        for handler in moved:
            handler.setStream(sys.stdout)


def run_cli(main: Callable[[], int]) -> None:
    """Run a tool's ``main``; a DanceStyleError becomes one clear message and
    exit status 2 instead of a traceback wall."""
    try:
        code = main()
    except DanceStyleError as error:
        print(f'error: {error}', file=sys.stderr)
        sys.exit(DanceStyleError.exit_code)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)
