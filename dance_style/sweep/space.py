"""A search space declared in a small YAML file, keyed by dotted config paths.

Each top-level key is a dotted path into the config (as ``--cfg-options``
takes it); its value says how to choose the value there::

    # log-uniform float, uniform float, integer, categorical
    optim_wrapper.optimizer.lr: {float: [1.0e-5, 1.0e-1], log: true}
    model.cls_head.dropout_ratio: {float: [0.1, 0.7]}
    train_dataloader.batch_size: {choice: [4, 8, 16]}
    # a choice between named dicts replaces the whole dict at that path, so
    # each optimizer gets only the arguments it takes (Adam has no momentum)
    optim_wrapper.optimizer:
      choice:
        SGD: {type: SGD, momentum: 0.9, weight_decay: 1.0e-4}
        AdamW: {type: AdamW, weight_decay: {float: [1.0e-4, 1.0e-1], log: true}}
    # a plain value is fixed for every trial
    train_cfg.max_epochs: 5

A spec nested inside a chosen dict (AdamW's weight_decay above) is sampled
only when that option is chosen, under the name
``optim_wrapper.optimizer[AdamW].weight_decay``: Optuna's define-by-run
conditional parameters. Paths are applied shallow first, so
``optim_wrapper.optimizer.lr`` lands inside whichever optimizer was chosen.

YAML because it is declarative (a search space is data, not code) and
PyYAML comes with mmengine; JSON files are YAML too.

A finished trial's values come back from the study's database, which a
shared server lets others write to: :meth:`SearchSpace.replay` accepts only
the parameters this space defines, with values it could have drawn, and
rebuilds the overrides from the space itself.
"""
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Union

from ..errors import DanceStyleError

SPEC_KINDS = ('float', 'int', 'choice')
SCIENTIFIC = re.compile(r'^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$')


@dataclass
class Param:
    """One entry of the space: where it goes and how it is drawn."""

    path: str
    spec: Any

    @property
    def depth(self) -> int:
        return self.path.count('.')


def is_spec(value: Any) -> bool:
    """Whether ``value`` is a sampling spec (a dict with exactly one of
    float/int/choice) rather than a fixed value."""
    return isinstance(value, dict) and len(
        [key for key in SPEC_KINDS if key in value]) == 1


def _numbers_everywhere(value: Any) -> Any:
    """Every ``1e-4``-style string in a parsed file as a float (PyYAML
    reads YAML 1.1, where a float needs a dot), at any depth."""
    if isinstance(value, dict):
        return {key: _numbers_everywhere(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers_everywhere(item) for item in value]
    if isinstance(value, str) and SCIENTIFIC.match(value):
        return float(value)
    return value


def _check_spec(name: str, spec: dict) -> None:
    kind = next(key for key in SPEC_KINDS if key in spec)
    allowed = {kind, 'log', 'step'}
    unknown = set(spec) - allowed
    if unknown:
        raise DanceStyleError(
            f'search space entry {name!r}: unknown key(s) {sorted(unknown)}; '
            f'a {kind} spec takes {sorted(allowed)}')
    if kind in ('float', 'int'):
        bounds = spec[kind] = list(spec[kind]) \
            if isinstance(spec[kind], (list, tuple)) else spec[kind]
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, (int, float)) for b in bounds)
                or bounds[0] >= bounds[1]):
            raise DanceStyleError(
                f'search space entry {name!r}: {kind} needs [low, high] '
                f'with low < high, got {bounds!r}')
        if spec.get('log') and bounds[0] <= 0:
            raise DanceStyleError(
                f'search space entry {name!r}: a log scale needs low > 0')
        step = spec.get('step')
        if step is not None and (not isinstance(step, (int, float))
                                 or step <= 0):
            raise DanceStyleError(
                f'search space entry {name!r}: step must be a number > 0')
        if step is not None and spec.get('log') and not (
                kind == 'int' and step == 1):
            raise DanceStyleError(
                f'search space entry {name!r}: Optuna cannot combine a log '
                'scale with a step; drop one')
    else:
        choices = spec['choice']
        if isinstance(choices, dict):
            for option, value in choices.items():
                if not isinstance(value, dict):
                    raise DanceStyleError(
                        f'search space entry {name!r}: named option '
                        f'{option!r} must be a dict (it replaces the dict '
                        f'at {name}); use a list for plain values')
                _check_nested(f'{name}[{option}]', value)
        elif not isinstance(choices, list) or not choices:
            raise DanceStyleError(
                f'search space entry {name!r}: choice needs a non-empty '
                'list of values or a mapping of named dicts')
        elif not all(v is None or isinstance(v, (bool, int, float, str))
                     for v in choices):
            raise DanceStyleError(
                f'search space entry {name!r}: list choices must be plain '
                'values (numbers, strings, booleans); name dict options '
                '(choice: {NAME: {...}})')


def _check_nested(name: str, value: Any) -> None:
    if is_spec(value):
        _check_spec(name, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_nested(f'{name}.{key}', item)


class SearchSpace:
    """The parsed space: :meth:`sample` draws one trial's overrides."""

    def __init__(self, entries: Dict[str, Any], source: str = '<dict>'):
        if not isinstance(entries, dict) or not entries:
            raise DanceStyleError(
                f'search space {source}: expected a mapping of dotted config '
                'paths to specs, e.g. "optim_wrapper.optimizer.lr: '
                '{float: [1.0e-5, 1.0e-1], log: true}"')
        self.source = source
        entries = _numbers_everywhere(entries)
        self.params: List[Param] = []
        for path, spec in entries.items():
            if not isinstance(path, str) or not all(
                    part.isidentifier() for part in path.split('.')):
                raise DanceStyleError(
                    f'search space {source}: bad key {path!r}; keys are '
                    'dotted config paths such as model.cls_head.dropout_ratio')
            _check_nested(path, spec)
            self.params.append(Param(path, spec))
        # parents before children: a chosen optimizer dict first, its lr
        # after (a stable sort keeps the file's order otherwise)
        self.params.sort(key=lambda param: param.depth)

    @classmethod
    def from_file(cls, path: Union[str, Path]) -> 'SearchSpace':
        """Load a YAML (or JSON) search-space file."""
        import yaml
        path = Path(path)
        if not path.is_file():
            raise DanceStyleError(
                f'search space file not found: {path}\nThe default is '
                'configs/sweeps/study_space.yaml.')
        try:
            entries = yaml.safe_load(path.read_text(encoding='utf-8'))
        except yaml.YAMLError as error:
            raise DanceStyleError(
                f'search space file {path} is not valid YAML: {error}')
        return cls(entries, source=str(path))

    def sample(self, trial) -> Dict[str, Any]:
        """Draw every entry with ``trial`` (an optuna Trial); returns
        ``{dotted path: value}`` in the order to apply."""
        return {param.path: _draw(trial, param.path, param.spec)
                for param in self.params}

    def names(self) -> List[str]:
        """Every parameter name a trial of this space can hold, the
        conditional ones of each named option included."""
        names: List[str] = []
        for param in self.params:
            _names(param.path, param.spec, names)
        return names

    def replay(self, params: Dict[str, Any],
               what: str = 'the trial') -> Dict[str, Any]:
        """The overrides of a finished trial, from its stored ``params``
        (``trial.params``): each name must be one this space defines, each
        value one it could have drawn; a choice comes back as the space's
        own value. Raises DanceStyleError naming the first that is not."""
        known = set(self.names())
        for name in params:
            if name not in known:
                raise DanceStyleError(
                    f'{what} has a parameter {name!r} that the search space '
                    f'{self.source} does not define; refusing to use it. A '
                    'study holds trials of one space: this one was written '
                    'by another program or person. Check the study '
                    '(optuna-dashboard), or pass a new --study-name.')
        return self.sample(_Replay(params, what, self.source))

    def check_stored(self, stored: Any, overrides: Dict[str, Any],
                     what: str = 'the trial') -> None:
        """Refuse a trial whose stored ``overrides`` user attribute (JSON)
        is not what :meth:`replay` rebuilt from its parameters: an unknown
        key, a missing one, or another value."""
        try:
            stored = json.loads(stored)
        except (TypeError, ValueError):
            stored = None
        if not isinstance(stored, dict):
            raise DanceStyleError(
                f'{what}: its stored overrides are not a JSON object of '
                'config paths; refusing to use them')
        for key in stored:
            if key not in overrides:
                raise DanceStyleError(
                    f'{what} has an override {repr(key)[:300]} that the '
                    f'search space {self.source} does not define; refusing '
                    'to use it. '
                    'Check the study (optuna-dashboard), or pass a new '
                    '--study-name.')
        for key, value in overrides.items():
            # compared as stored: JSON, with str() for what it cannot hold
            value = json.loads(json.dumps(value, default=str))
            if key not in stored or stored[key] != value:
                shown = repr(stored.get(key, '<missing>'))[:200]
                raise DanceStyleError(
                    f'{what}: its stored override {key!r} = {shown} is not '
                    f'the value its parameters give in {self.source} '
                    f'({value!r}); refusing to use it')


class _Replay:
    """Stands in for an Optuna trial in :func:`_draw`: answers each
    ``suggest_*`` with the stored value, once it has checked the value
    against the arguments the space asks with."""

    def __init__(self, params: Dict[str, Any], what: str, source: str):
        self.params = params
        self.what = what
        self.source = source

    def _stored(self, name: str) -> Any:
        if name not in self.params:
            raise DanceStyleError(
                f'{self.what} has no value for {name!r}, which the search '
                f'space {self.source} draws; it was not a trial of this '
                'space')
        return self.params[name]

    def _refuse(self, name: str, value: Any, expected: str):
        return DanceStyleError(
            f'{self.what}: parameter {name!r} = {repr(value)[:200]} is not '
            f'{expected} as the search space {self.source} says; refusing '
            'to use it')

    def suggest_float(self, name, low, high, log=False, step=None):
        value = self._stored(name)
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or not low <= value <= high):
            raise self._refuse(name, value, f'a number in [{low}, {high}]')
        if step is not None:
            steps = (value - low) / step
            if abs(steps - round(steps)) > 1e-6:
                raise self._refuse(name, value,
                                   f'{low} plus a multiple of {step}')
        return float(value)

    def suggest_int(self, name, low, high, log=False, step=1):
        value = self._stored(name)
        if (isinstance(value, bool) or not isinstance(value, int)
                or not low <= value <= high or (value - low) % step):
            raise self._refuse(name, value, f'an integer in [{low}, {high}]'
                               f' in steps of {step}')
        return value

    def suggest_categorical(self, name, choices):
        value = self._stored(name)
        for choice in choices:
            # type too: True == 1 == 1.0, but only one is the space's value
            if type(choice) is type(value) and choice == value:
                return choice
        raise self._refuse(name, value, f'one of {choices!r}')


def _names(name: str, spec: Any, out: List[str]) -> None:
    """The parameter names :func:`_draw` can suggest for ``spec``."""
    if is_spec(spec):
        out.append(name)
        choices = spec.get('choice')
        if isinstance(choices, dict):
            for option, value in choices.items():
                _names(f'{name}[{option}]', value, out)
    elif isinstance(spec, dict):
        for key, value in spec.items():
            _names(f'{name}.{key}', value, out)


def _draw(trial, name: str, spec: Any) -> Any:
    """The value of ``spec`` for this trial, recursing into dicts."""
    if is_spec(spec):
        if 'float' in spec:
            low, high = spec['float']
            return trial.suggest_float(name, float(low), float(high),
                                       log=bool(spec.get('log')),
                                       step=spec.get('step'))
        if 'int' in spec:
            low, high = spec['int']
            return trial.suggest_int(name, int(low), int(high),
                                     log=bool(spec.get('log')),
                                     step=int(spec.get('step', 1)))
        choices = spec['choice']
        if isinstance(choices, dict):
            option = trial.suggest_categorical(name, list(choices))
            chosen = _draw(trial, f'{name}[{option}]', choices[option])
            # replace, not merge: SGD's momentum must not reach Adam
            return dict(chosen, _delete_=True)
        return trial.suggest_categorical(name, choices)
    if isinstance(spec, dict):
        return {key: _draw(trial, f'{name}.{key}', value)
                for key, value in spec.items()}
    return spec


def check_paths(space: SearchSpace, cfg) -> None:
    """Fail before any trial when a path's parent is not in the config (a
    typo would otherwise add a key that nothing reads)."""
    for param in space.params:
        parent_path, _, _ = param.path.rpartition('.')
        node = cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg
        walked = []
        for key in filter(None, parent_path.split('.')):
            walked.append(key)
            if not isinstance(node, dict) or key not in node:
                raise DanceStyleError(
                    f'search space {space.source}: {param.path!r} does not '
                    f'fit the config: it has no {".".join(walked)!r}. Check '
                    'the spelling against the config (python -c "from '
                    'mmengine import Config; print(Config.fromfile('
                    '\'CONFIG\').pretty_text)")')
            node = node[key]
