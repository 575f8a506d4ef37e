"""The layering of docs/architecture.md, checked on the code: one install
path (no sys.path edits), no import circles in the package, the package
never imports the CLIs, light imports for data prep, every pin where the
package declares a need, and a map that matches the tree."""
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the copy pip carries
    from pip._vendor import tomli as tomllib

PACKAGE = REPO / 'dance_style'
CLI_FOLDERS = ('tools', 'data_prep')
ARCHITECTURE = (REPO / 'docs' / 'architecture.md').read_text()
DEVELOPMENT = (REPO / 'docs' / 'development.md').read_text()


def tracked(pattern):
    """Files git tracks (and new ones it does not ignore) matching the
    glob ``pattern``."""
    out = subprocess.run(
        ['git', 'ls-files', '--cached', '--others', '--exclude-standard',
         pattern], cwd=REPO, capture_output=True, text=True, check=True)
    return [REPO / line for line in out.stdout.splitlines()
            if (REPO / line).is_file()]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def package_imports(path: Path):
    """The dance_style modules a file imports, anywhere in it (function
    bodies included), resolved to the module or package imported."""
    name = module_name(path)
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names
                         if a.name.split('.')[0] == 'dance_style')
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                target = '.'.join(base + ([node.module] if node.module
                                          else []))
            elif (node.module or '').split('.')[0] == 'dance_style':
                target = node.module
            else:
                continue
            for alias in node.names:  # `from . import compat` is a module
                sub = f'{target}.{alias.name}'
                found.add(sub if is_module(sub) else target)
    found.discard(name)
    return found


def is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split('.'))
    return path.with_suffix('.py').is_file() or (path / '__init__.py').is_file()


# The one file allowed: a forked tool run gets the sys.path of a bare
# `python tools/x.py` (the script's folder, then the interpreter's own),
# which is what this check protects, not an extra entry.
SETS_A_FRESH_PATH = REPO / 'tests' / 'support' / 'forked_tools.py'


def test_nothing_edits_sys_path():
    edit = re.compile(r'sys\.path\s*(\.(insert|append|extend)|\[|\+?=)')
    offenders = [f'{p.relative_to(REPO)}:{n}'
                 for p in tracked('*.py')
                 if p not in (Path(__file__), SETS_A_FRESH_PATH)
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if edit.search(line)]
    assert not offenders


def test_the_package_has_no_import_circle():
    graph = {module_name(p): package_imports(p)
             for p in PACKAGE.rglob('*.py')}
    state = {}

    def visit(node, trail):
        if state.get(node) == 'done':
            return
        if state.get(node) == 'open':
            cycle = trail[trail.index(node):] + [node]
            pytest.fail('import circle: ' + ' -> '.join(cycle))
        state[node] = 'open'
        for target in sorted(graph.get(node, ())):
            visit(target, trail + [node])
        state[node] = 'done'

    for node in sorted(graph):
        visit(node, [])


def test_the_package_never_imports_the_clis():
    for path in PACKAGE.rglob('*.py'):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names]
                     if isinstance(node, ast.Import) else
                     [node.module or ''] if isinstance(node, ast.ImportFrom)
                     else [])
            for name in names:
                assert name.split('.')[0] not in CLI_FOLDERS, path


def test_a_cli_imports_no_other_cli():
    scripts = {p.stem for folder in CLI_FOLDERS
               for p in (REPO / folder).glob('*.py')}
    for folder in CLI_FOLDERS:
        for path in (REPO / folder).glob('*.py'):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module]
                else:
                    continue
                assert not set(names) & scripts, (path, names)


def test_tests_import_helpers_from_support_never_from_conftest():
    """conftest.py holds fixtures and hooks only; what tests share besides
    fixtures is the package tests/support/."""
    tests = REPO / 'tests'
    for path in tests.rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names]
                     if isinstance(node, ast.Import) else
                     [node.module or ''] if isinstance(node, ast.ImportFrom)
                     else [])
            assert 'conftest' not in names, path
    conftest = ast.parse((tests / 'conftest.py').read_text())
    for node in conftest.body:
        if isinstance(node, ast.FunctionDef):
            decorators = [ast.unparse(d) for d in node.decorator_list]
            assert node.name.startswith('pytest_') or any(
                'fixture' in d for d in decorators), (
                f'tests/conftest.py: {node.name} is neither a fixture nor a '
                'hook; helpers go to tests/support/')


LIGHT = """
import json, sys
import dance_style, dance_style.cli, dance_style.resources
import dance_style.prep.build, dance_style.prep.flow_dataset
import dance_style.synthetic, dance_style.synthetic.sources
heavy = [m for m in ('torch', 'mmaction', 'mmengine', 'mmcv', 'optuna')
         if m in sys.modules]
print(json.dumps(heavy))
"""


def test_data_prep_and_synthetic_imports_stay_light():
    """A data-prep or render worker process imports these and nothing of
    the training stack (it used to pay ~3 s of torch + mmaction)."""
    proc = subprocess.run([sys.executable, '-c', LIGHT], cwd=REPO,
                          capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []


def test_requirements_pin_everything_the_package_declares():
    from packaging.requirements import Requirement
    pins = {}
    for line in (REPO / 'requirements.txt').read_text().splitlines():
        line = line.split('#')[0].strip()
        if line:
            name, _, version = line.partition('==')
            assert version, f'not pinned: {line}'
            pins[name.lower()] = version
    project = tomllib.loads((REPO / 'pyproject.toml').read_text())['project']
    declared = list(project['dependencies'])
    extras = project['optional-dependencies']
    assert {'sweep', 'export', 'dev'} <= set(extras)
    for group in extras.values():
        declared += [r for r in group if not r.startswith(project['name'])]
    for text in declared:
        requirement = Requirement(text)
        name = requirement.name.lower()
        assert name in pins, f'{name} is not pinned in requirements.txt'
        assert requirement.specifier.contains(pins[name]), (text, pins[name])


def test_the_architecture_map_matches_the_tree():
    modules = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob('*.py')
               if p.name != '__init__.py'}
    missing = sorted(m for m in modules if f'`{m}`' not in ARCHITECTURE)
    assert not missing, f'docs/architecture.md does not name {missing}'
    named = set(re.findall(r'`((?:\w+/)*\w+\.py)`', ARCHITECTURE))
    stale = sorted(n for n in named - modules
                   if not (REPO / n).is_file() and not any(
                       (REPO / folder / n).is_file()
                       for folder in CLI_FOLDERS + ('configs', 'tests',
                                                    'tests/support')))
    assert not stale, f'docs/architecture.md names missing files {stale}'


def test_the_layout_names_every_top_level_folder():
    # the README is a front door; docs/development.md keeps the layout
    layout = DEVELOPMENT[DEVELOPMENT.index('## Layout'):]
    folders = {p.relative_to(REPO).parts[0] for p in tracked('*')
               if len(p.relative_to(REPO).parts) > 1
               and not p.relative_to(REPO).parts[0].startswith('.')}
    for folder in folders | {'work_dirs', 'data'}:
        assert f'{folder}/' in layout, folder
        assert f'{folder}/' in ARCHITECTURE, folder
