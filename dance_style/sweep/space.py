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
"""
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
            if not isinstance(path, str) or not path or ' ' in path:
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
