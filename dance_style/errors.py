"""The one exception type for problems the user can fix."""


class DanceStyleError(Exception):
    """Bad input or set-up: says what is wrong and what to type instead.

    The tools print it without a traceback and exit with status 2
    (``dance_style.cli.run_cli``).
    """

    exit_code = 2
