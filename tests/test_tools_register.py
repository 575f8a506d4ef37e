"""Every tool registers the project's components itself
(``register_all_modules()``, directly or through the package function it
calls), as docs/architecture.md requires.

The other tests cannot tell: their tool server has applied the install
fixes before it forks a run (support/tool_preload.py), and a config's
``custom_imports`` registers too. Here each tool runs in a process that
has done neither (support/register_probe.py), with ``dance_style.register``
replaced by a stand-in that ends the run at its first call: a tool that
builds anything first, or never calls it, fails.
"""
import ast
import json
import subprocess
import sys

from support import REPO

CONFIG = 'tests/configs/tiny_nl_synthetic.py'
# Each tool that builds mmaction2 or mmengine objects, with arguments that
# parse and lead its main path to registration (no file named is opened
# before it; OUT is the test's folder).
RUNS = {
    'benchmark.py': [CONFIG, '--what', 'infer'],
    'check_bf16.py': [CONFIG],
    'compare_models.py': [],
    'convert_i3d_checkpoint.py': ['weights.pt', 'OUT/converted.pth'],
    'diagnose_training.py': [CONFIG],
    'export.py': [CONFIG, 'model.pth', 'OUT/model.pt'],
    'local_zoo.py': ['i3d-r50-nl-k400', '--out', 'OUT/zoo'],
    'predict.py': [CONFIG, 'model.pth', 'clip.mp4'],
    # a page of only the configs table, which builds every config's model
    'render_results.py': ['--check', 'OUT/configs.md'],
    'serve.py': [CONFIG, 'model.pth'],
    'sweep.py': [CONFIG],
    'test.py': [CONFIG, 'model.pth'],
    'train.py': [CONFIG],
    'tune_timeline.py': [CONFIG, 'model.pth'],
}
# Tools whose package entry points register only after data-prep stages
# that stay light by design and take minutes (downloads rendered, videos
# encoded, optical flow): a run to that point would cost more than the
# rest of this file, so the source is checked instead (a static check, the
# only one here): each entry point calls register_all_modules() itself.
ENTRY_POINTS = {'demo.py': ('dance_style/demo.py',
                            ('run_main', 'run_two_stream'))}
# Tools that build nothing of mmaction2 or mmengine, so have nothing to
# register.
NOTHING_TO_REGISTER = {
    'fuse_scores.py': 'numpy on saved scores (dance_style.fusion)',
    'plot_curves.py': 'matplotlib on the training logs (dance_style.curves)',
    'time_suite.py': 'the test command, timed in a subprocess '
    '(dance_style.benchmark.suite)',
}


def test_every_tool_is_checked_or_exempt_with_a_reason():
    tools = {p.name for p in (REPO / 'tools').glob('*.py')}
    checked = set(RUNS) | set(ENTRY_POINTS)
    assert not tools - checked - set(NOTHING_TO_REGISTER), 'a new tool: add it'
    assert checked <= tools


def test_each_tool_registers_before_it_builds_anything(tmp_path):
    (tmp_path / 'configs.md').write_text(
        '<!-- block configs -->\n<!-- /block -->\n')
    runs = [[f'tools/{name}',
             *(a.replace('OUT', str(tmp_path)) for a in args)]
            for name, args in sorted(RUNS.items())]
    proc = subprocess.run(
        [sys.executable, REPO / 'tests' / 'support' / 'register_probe.py',
         json.dumps(runs), tmp_path], cwd=REPO, capture_output=True,
        text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    codes = json.loads(proc.stdout)
    failed = {run[0]: (tmp_path / f'{index}.log').read_text()[-2000:]
              for index, (run, code) in enumerate(zip(runs, codes)) if code}
    assert not failed, failed


def calls(function: ast.FunctionDef) -> set:
    return {node.func.id for node in ast.walk(function)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def test_the_demos_register_in_their_package_entry_points():
    for tool, (module, entries) in ENTRY_POINTS.items():
        used = {node.id for node in ast.walk(ast.parse(
            (REPO / 'tools' / tool).read_text())) if isinstance(node, ast.Name)}
        functions = {node.name: node for node in ast.walk(ast.parse(
            (REPO / module).read_text())) if isinstance(node, ast.FunctionDef)}
        for entry in entries:
            assert entry in used, (tool, entry)
            assert 'register_all_modules' in calls(functions[entry]), entry
