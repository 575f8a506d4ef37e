"""Figures in the README and ``docs/`` are rendered from run records
(:mod:`dance_style.records`), between markers, by one command::

    python tools/render_results.py           # rewrite every block
    python tools/render_results.py --check   # exit 1 where one differs

Two kinds of marker, invisible in rendered Markdown:

* a figure inside a sentence::

      the demo reached <!-- fig demo figures.test.top1 pct1 -->70.1 %<!-- /fig -->

  the value at the dotted ``KEY`` of the record ``docs/results/NAME.json``,
  written in ``FORMAT`` (:data:`FORMATS`);
* a table or paragraph drawn by a function of
  :data:`dance_style.render_blocks.BLOCKS`::

      <!-- block NAME -->
      ...
      <!-- /block -->

A hand-edited figure differs from its render, and ``tests/test_render.py``
fails on it: edit the record's command and run it again instead.
"""
import re
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from .errors import DanceStyleError
from .fileio import write_text_atomic
from .records import read_record
from .render_blocks import BLOCKS
from .resources import REPO_ROOT


def _percent(digits: int) -> Callable:
    return lambda v: f'{100 * float(v):.{digits}f} %'


def _number(digits: int) -> Callable:
    return lambda v: f'{float(v):,.{digits}f}'


FORMATS: Dict[str, Callable] = {
    **{f'pct{d}': _percent(d) for d in range(3)},  # 0.7009 -> 70.1 %
    **{f'n{d}': _number(d) for d in range(4)},  # 1234.5 -> 1,234.5
    **{f's{d}': (lambda d: lambda v: f'{float(v):.{d}f} s')(d)
       for d in range(3)},  # seconds
    'min': lambda v: f'{float(v) / 60:.0f} min',  # seconds -> minutes
    'min1': lambda v: f'{float(v) / 60:.1f} min',
    **{f'x{d}': (lambda d: lambda v: f'{float(v):.{d}f}x')(d)
       for d in range(3)},  # ratios
    'day': lambda v: str(v)[:10],  # a record's date
    'str': str,
    'count': len,  # a list's length: [a, b, c] -> 3
    # a list of names, or of segments ({'style': ...}), in order
    'styles': lambda v: ', '.join(x['style'] if isinstance(x, dict)
                                  else str(x) for x in v),
}

FIG = re.compile(r'<!-- fig (?P<name>\S+) (?P<key>\S+) (?P<fmt>\S+) -->'
                 r'(?P<body>.*?)<!-- /fig -->', re.S)
BLOCK = re.compile(r'<!-- block (?P<name>\S+) -->\n(?P<body>.*?)'
                   r'<!-- /block -->', re.S)

def lookup(record: Dict, key: str):
    """The value at the dotted ``key`` (``figures.test.acc/top1``)."""
    value = record
    for part in key.split('.'):
        if isinstance(value, list) and part.isdigit():
            part = int(part)
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            raise DanceStyleError(f'the record has no {key!r} (no {part!r})'
                                  ) from None
    return value


def figure(name: str, key: str, fmt: str) -> str:
    """One figure: the record ``name``'s value at ``key`` in ``fmt``."""
    if fmt not in FORMATS:
        raise DanceStyleError(f'unknown figure format {fmt!r}: one of '
                              f'{", ".join(FORMATS)}')
    return FORMATS[fmt](lookup(read_record(name), key))


def render_text(text: str, where: str = 'text') -> str:
    """``text`` with every figure and block rendered anew."""
    def fig(match):
        try:
            value = figure(match['name'], match['key'], match['fmt'])
        except DanceStyleError as error:
            raise DanceStyleError(f'{where}: {match.group(0)[:80]}: {error}'
                                  ) from None
        return (f'<!-- fig {match["name"]} {match["key"]} {match["fmt"]} -->'
                f'{value}<!-- /fig -->')

    def table(match):
        name = match['name']
        if name not in BLOCKS:
            raise DanceStyleError(f'{where}: unknown block {name!r}: one of '
                                  f'{", ".join(sorted(BLOCKS))}')
        body = BLOCKS[name]()
        return f'<!-- block {name} -->\n{body}<!-- /block -->'

    return BLOCK.sub(table, FIG.sub(fig, text))


def documents(root: Path = REPO_ROOT) -> List[Path]:
    """The Markdown files whose figures are rendered: the README and every
    page under docs/."""
    return [root / 'README.md', *sorted((root / 'docs').rglob('*.md'))]


def differing(path: Path) -> List[str]:
    """The markers of ``path`` whose text differs from their render."""
    text = path.read_text(encoding='utf-8')
    rendered = render_text(text, str(path))
    if rendered == text:
        return []
    old = [m.group(0) for m in (*FIG.finditer(text), *BLOCK.finditer(text))]
    new = set(m.group(0) for m in (*FIG.finditer(rendered),
                                   *BLOCK.finditer(rendered)))
    return [m.split('-->', 1)[0] + '-->' for m in old if m not in new]


def render_files(paths: List[Path], check: bool = False
                 ) -> List[Tuple[Path, List[str]]]:
    """Render ``paths`` in place (``check``: only report); returns the
    files and markers that differed."""
    changed = []
    for path in paths:
        stale = differing(path)
        if stale:
            changed.append((path, stale))
            if not check:
                text = path.read_text(encoding='utf-8')
                write_text_atomic(path, render_text(text, str(path)))
    return changed

