"""Which pretraining lists val and test are checked against, and why.

Kinetics versions overlap: a Kinetics-700-2020 *validate* video can be in
the Kinetics-400 or -600 *train* list a checkpoint was trained on, so the
leak-free protocol alone does not keep such videos out of val and test.
``--for-config CONFIG`` reads, through :mod:`dance_style.zoo`, which
Kinetics lists the checkpoint that config fine-tunes from was trained on
(``configs/metafile.yml``, ``Checkpoints``, ``exclude``) and requires them:
given with ``--exclude-from k400=PATH`` or found under ``--kinetics-root``
(:mod:`.kinetics_lists`). A missing one is an error before any work, unless
``--allow-pretraining-overlap`` accepts the leak; then the split's summary,
the printed summary and every val/test row of ``manifest.csv``
(``pretraining_check``) say what was not checked. A build with neither
``--for-config`` nor ``--exclude-from`` says val and test were checked
against nothing.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..errors import DanceStyleError
from ..resources import REPO_ROOT, shown
# light: zoo reads the metafile with yaml, and mmengine only in for_config
from ..zoo import KINETICS_LISTS as LIST_NAMES
from .kinetics import check_root
from .kinetics_lists import DOWNLOADS, ListFile, find_lists, parse_given
from .pretraining import read_pretraining_ids

ALLOW_FLAG = '--allow-pretraining-overlap'


@dataclass(frozen=True)
class Need:
    """What one config's weights were trained on."""
    config: str  # as shown (relative to the repository when inside)
    checkpoint: Optional[str] = None  # the metafile entry's name
    trained_on: str = ''
    lists: Tuple[str, ...] = ()
    load_from: Optional[str] = None

    @property
    def unknown(self) -> bool:
        """It loads weights the metafile does not describe."""
        return self.checkpoint is None and bool(self.load_from)

    def describe(self) -> str:
        if self.unknown:
            return (f'loads {self.load_from}, which configs/metafile.yml\'s '
                    'Checkpoints do not describe: what it was trained on is '
                    'unknown')
        if self.checkpoint is None:
            return 'no Kinetics checkpoint (from scratch or ImageNet ' \
                   'weights): no list needed'
        lists = ', '.join(self.lists) or 'no Kinetics list'
        return (f'checkpoint {self.checkpoint}, trained on '
                f'{self.trained_on}; needs {lists}')


def _config_path(config) -> Path:
    path = Path(config)
    if not path.is_file() and (REPO_ROOT / path).is_file():
        path = REPO_ROOT / path  # configs/x.py from any folder
    if not path.is_file():
        raise DanceStyleError(f'--for-config {config}: no such config (e.g. '
                              'configs/i3d_nl_dance.py)')
    return path


def need_of(config) -> Need:
    """The Kinetics lists ``config``'s weights were trained on."""
    # imported here: mmengine's Config is needed only with --for-config,
    # and data-prep workers stay light without it
    from mmengine.config import Config

    from .. import zoo
    path = _config_path(config)
    try:
        entry = zoo.for_config(str(path))
        load_from = None if entry else Config.fromfile(
            str(path), import_custom_modules=False).get('load_from')
    except DanceStyleError:
        raise
    except Exception as error:  # a config that does not parse
        raise DanceStyleError(f'--for-config {config}: cannot read it: '
                              f'{type(error).__name__}: {error}') from None
    if entry is None:
        return Need(shown(path.resolve()), load_from=load_from or None)
    return Need(shown(path.resolve()), entry.name, entry.trained_on,
                tuple(entry.exclude))


@dataclass
class Plan:
    """The lists a split checks val and test against, and what it could
    not check."""
    files: List[ListFile] = field(default_factory=list)
    needs: List[Need] = field(default_factory=list)
    missing: Dict[str, List[str]] = field(default_factory=dict)
    _read: Optional[tuple] = None

    @property
    def unknown(self) -> List[Need]:
        return [n for n in self.needs if n.unknown]

    def read(self) -> Tuple[Dict[str, str], Dict[str, dict]]:
        """YouTube id -> the list naming it, and what each file held
        (:func:`read_pretraining_ids`; read once)."""
        if self._read is None:
            self._read = read_pretraining_ids(
                [f.path for f in self.files],
                {str(f.path): f.label for f in self.files})
        return self._read

    def warning(self) -> str:
        """What val and test were not checked against, or ''."""
        parts = []
        groups: Dict[Tuple[str, ...], List[str]] = {}
        for name, configs in self.missing.items():
            groups.setdefault(tuple(configs), []).append(name)
        for configs, names in groups.items():
            lists = ', '.join(f'{n} ({LIST_NAMES[n]})' for n in names)
            parts.append(
                f'val and test were NOT checked against {lists}, which the '
                f'checkpoint of {", ".join(configs)} was trained on '
                f'({ALLOW_FLAG}): they may hold videos it was trained on, so '
                'its val and test scores may be optimistic')
        for need in self.unknown:
            parts.append(
                f'{need.config} loads {need.load_from}, which configs/'
                'metafile.yml does not describe: val and test were not '
                f'checked against what it was trained on ({ALLOW_FLAG})')
        if not self.needs and not self.files:
            parts.append(
                'val and test were not checked against any pretraining '
                'list: a Kinetics checkpoint may have been trained on some '
                'of their videos (Kinetics-700-2020 validate videos can be '
                'in the Kinetics-400/600 train lists). Rebuild with '
                '--for-config CONFIG to check them against the lists that '
                "config's checkpoint was trained on")
        return '; '.join(parts)

    def row_note(self) -> str:
        """manifest.csv's ``pretraining_check`` of a val or test clip."""
        checked = sorted({f.name for f in self.files if f.name}) + [
            f.path.name for f in self.files if not f.name]
        parts = [f'checked against {", ".join(checked)}'] if checked else []
        parts += [f'NOT checked against {name} (missing; {ALLOW_FLAG})'
                  for name in self.missing]
        parts += [f'NOT checked against what {n.load_from} was trained on '
                  f'(unknown; {ALLOW_FLAG})' for n in self.unknown]
        if parts:
            return '; '.join(parts)
        if self.needs:
            return 'no pretraining list needed by ' + ', '.join(
                n.config for n in self.needs)
        return 'not checked against any pretraining list (no --for-config ' \
               'or --exclude-from)'

    def describe(self) -> List[str]:
        """Lines for the log: each config's need, each file and why."""
        lines = [f'{n.config}: {n.describe()}' for n in self.needs]
        for listed in self.files:
            what = f'{listed.name} ({LIST_NAMES[listed.name]})' \
                if listed.name else 'list'
            lines.append(f'{what}: {listed.path} ({listed.how})')
        lines += [f'{name} ({LIST_NAMES[name]}): MISSING, accepted with '
                  f'{ALLOW_FLAG}' for name in self.missing]
        return lines

    def summary(self) -> dict:
        """The record ``prep/summary.json`` keeps (the manifest and the
        printed summary read it back)."""
        return dict(
            for_config={n.config: dict(checkpoint=n.checkpoint,
                                       lists=list(n.lists),
                                       load_from=n.load_from)
                        for n in self.needs},
            lists=[dict(path=str(f.path), list=f.name, how=f.how)
                   for f in self.files],
            missing=self.missing,
            unknown=[n.config for n in self.unknown],
            warning=self.warning(), row_note=self.row_note())


def make_plan(configs: Sequence = (), exclude_from: Sequence = (),
              kinetics_root=None, allow_overlap: bool = False) -> Plan:
    """The lists to check against: every ``exclude_from`` file, plus what
    each of ``configs`` needs, found under ``kinetics_root`` unless given.
    Raises before any work when a needed list is missing, unless
    ``allow_overlap``."""
    if allow_overlap and not configs:
        raise DanceStyleError(
            f'{ALLOW_FLAG} goes with --for-config CONFIG: it accepts that '
            "lists the config's checkpoint was trained on are missing")
    if kinetics_root:  # lists are looked for in it: it must be there
        check_root(kinetics_root)
    files = parse_given(exclude_from)
    needs = list({n.config: n for n in map(need_of, configs)}.values())
    required: Dict[str, List[str]] = {}
    for need in needs:
        for name in need.lists:
            required.setdefault(name, []).append(need.config)
    have = {f.name for f in files}
    search = find_lists(kinetics_root) if kinetics_root and \
        set(required) - have else None
    missing = {}
    for name, configs_needing in required.items():
        if name in have:
            continue
        hits = search.found.get(name) if search else None
        if hits:
            files += hits
        else:
            missing[name] = configs_needing
    plan = Plan(files, needs, missing)
    if (missing or plan.unknown) and not allow_overlap:
        raise DanceStyleError(_refusal(plan, needs, search, kinetics_root))
    plan.read()  # a file without ids is an error now, before any work
    return plan


def _refusal(plan: Plan, needs: List[Need], search, kinetics_root) -> str:
    lines = []
    for need in needs:
        lacking = [name for name in need.lists if name in plan.missing]
        if lacking:
            lines.append(
                f'{need.config} fine-tunes from {need.checkpoint}, trained '
                f'on {need.trained_on}: the videos of {", ".join(lacking)} '
                'must stay out of val and test, and '
                + ('that list is' if len(lacking) == 1 else 'those lists are')
                + ' missing:')
    for name in plan.missing:
        tarball, cvdf = DOWNLOADS[name]
        if search:
            where = search.places(name)
            put = (f'put it in {Path(kinetics_root) / ("kinetics" + name[1:])}'
                   f'/ or pass --exclude-from {name}=PATH')
        else:
            where = 'not given, and no --kinetics-root to look in'
            put = f'pass it with --exclude-from {name}=PATH'
        lines.append(
            f'  {name} ({LIST_NAMES[name]}): {where}.\n    Get train.csv '
            f'from the official Kinetics annotations ({tarball}, or '
            f'{cvdf}) and {put}.')
    for need in plan.unknown:
        lines.append(
            f'{need.config} loads {need.load_from}, which configs/metafile'
            ".yml's Checkpoints do not describe, so which Kinetics lists it "
            'was trained on is unknown: add an entry for it there (exclude: '
            'names the lists), or leave the config out of --for-config and '
            'pass its lists with --exclude-from NAME=CSV.')
    lines.append(f'To build anyway, with val and test not checked against '
                 f'them (the summary and manifest.csv will say so), add '
                 f'{ALLOW_FLAG}.')
    return '\n'.join(lines)
