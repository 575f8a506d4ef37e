"""Every relative link of README.md and docs/**/*.md resolves: the file it
names exists (relative to the page that links it), and an ``#anchor`` into
a Markdown page names one of that page's headings. Pages moved between the
README and docs/ keep links written for their old folder otherwise."""
import re
from pathlib import Path

import pytest

from support import REPO

LINK = re.compile(r'!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
FENCE = re.compile(r'^(```|~~~).*?^\1', re.M | re.S)
INLINE_CODE = re.compile(r'`[^`\n]*`')
HEADING = re.compile(r'^#{1,6}\s+(.+?)\s*#*\s*$', re.M)


def pages():
    """The README and every Markdown page under docs/."""
    return [REPO / 'README.md', *sorted((REPO / 'docs').rglob('*.md'))]


def prose(text: str) -> str:
    """``text`` without code: fenced blocks and inline code spans, whose
    brackets and hashes are not links or headings."""
    return INLINE_CODE.sub('', FENCE.sub('', text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation
    dropped (hyphens and underscores kept), spaces to hyphens."""
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', heading)  # link text
    text = re.sub(r'[^\w\- ]', '', text.replace('`', '').lower())
    return text.replace(' ', '-')


def anchors(page: Path) -> set:
    """The anchors of ``page``'s headings (a heading may hold code)."""
    text = FENCE.sub('', page.read_text(encoding='utf-8'))
    return {slug(h) for h in HEADING.findall(text)}


def relative_links(page: Path):
    """(target, path, anchor) of every link of ``page`` that is not a URL."""
    for target in LINK.findall(prose(page.read_text(encoding='utf-8'))):
        if re.match(r'[a-z][a-z0-9+.-]*:', target, re.I):  # http:, mailto:
            continue
        path, _, anchor = target.partition('#')
        yield target, path, anchor


def broken_links(page: Path):
    """What is wrong with each relative link of ``page`` that does not
    resolve, one line per link."""
    broken = []
    for target, path, anchor in relative_links(page):
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f'{target}: no such file')
        elif anchor and file.suffix == '.md' and anchor not in anchors(file):
            broken.append(f'{target}: {file.name} has no heading #{anchor}')
    return broken


@pytest.mark.parametrize('page', pages(),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_a_broken_link_and_a_missing_anchor_are_found(tmp_path):
    (tmp_path / 'docs').mkdir()
    (tmp_path / 'docs' / 'other.md').write_text(
        '# Other\n\n## A part\n\n## With `code`\n')
    page = tmp_path / 'docs' / 'page.md'
    page.write_text(
        '# Page\n\n[moved](docs/other.md) [fine](other.md#a-part) '
        '[no part](other.md#b-part) [here](#page) [web](https://x.org/y) '
        '[code](other.md#with-code)\n'
        '![picture](missing.png) `[code](not/a/link.md)` [`a file`](gone.md)\n'
        '```\n[fenced](not/a/link.md)\n# not a heading\n```\n')
    assert broken_links(page) == [
        'docs/other.md: no such file',
        'other.md#b-part: other.md has no heading #b-part',
        'missing.png: no such file',
        'gone.md: no such file']


def test_slugs_are_githubs():
    assert slug('Two-Stream I3D: RGB + optical flow') == (
        'two-stream-i3d-rgb--optical-flow')
    assert slug('Pretraining lists per config (`--for-config`)') == (
        'pretraining-lists-per-config---for-config')
    assert slug('Why the RGB stream stayed at chance from scratch, and the '
                'remedy') == ('why-the-rgb-stream-stayed-at-chance-from-'
                              'scratch-and-the-remedy')
