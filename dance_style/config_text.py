"""mmengine's config text, formatted once per text instead of at every use.

mmengine 0.10.7 formats a config's Python text with yapf each time it reads
``Config.pretty_text``: the Runner logs it, dumps it to the work dir, hands
it to the visualizer and the runtime-info hook, and writes it into every
checkpoint it saves. yapf takes about 0.35 s per call on one core of the
developers' machine; a training run of the test config with 3 checkpoint
saves called it 8 times for the same text, 3.0 of its 7.0 s
(cProfile, 2026-12-05). A run on real data saves fewer, longer epochs, but
every short run, test and sweep trial paid it.

``FormatCode`` is a pure function of its text and style, so a cache of its
results returns exactly what yapf would: :func:`memoize_config_formatting`
wraps the name mmengine's config module calls. Applied by
:func:`dance_style.register.register_all_modules`; idempotent.
"""
import functools
import json

CACHED_TEXTS = 16  # a process formats a handful of configs (sweep trials)


def _memoized(format_code):
    @functools.lru_cache(maxsize=CACHED_TEXTS)
    def cached(text: str, options: str):
        return format_code(text, **json.loads(options))

    @functools.wraps(format_code)
    def format_once(text, **options):
        try:
            key = json.dumps(options, sort_keys=True)
        except TypeError:  # an option that is not plain data: no cache
            return format_code(text, **options)
        return cached(text, key)

    format_once.memoized = True
    format_once.cache_info = cached.cache_info
    return format_once


def memoize_config_formatting() -> bool:
    """Make mmengine's config module call a cached yapf ``FormatCode``;
    False when it already does."""
    from mmengine.config import config as config_module
    current = config_module.FormatCode
    if getattr(current, 'memoized', False):
        return False
    config_module.FormatCode = _memoized(current)
    return True
