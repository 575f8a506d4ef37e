"""Shared pieces of the thin command-line tools in ``tools/``."""
import contextlib
import logging
import sys
from typing import Callable

from mmengine.config import DictAction

from .errors import DanceStyleError


class ConfigOptionsAction(DictAction):
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
