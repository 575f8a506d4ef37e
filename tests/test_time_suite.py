"""tools/time_suite.py: pytest's summary line read right, and a run record
written for a suite that passed, not for one that failed (a real pytest on
a small test file, not make test)."""
import functools
import sys

import pytest

from support import run_tool
from dance_style import records
from dance_style.benchmark.suite import ANSI, parse_summary, time_suite
from dance_style.errors import DanceStyleError


@pytest.mark.parametrize('line, counts', [
    # make test's: xdist, the '=' rule, the clock time after the seconds
    ('============ 310 passed, 4 skipped, 12 warnings in 501.23s (0:08:21) '
     '============', dict(passed=310, failed=0, skipped=4, errors=0,
                         warnings=12)),
    # -q, with colour codes
    ('\x1b[32m3 passed\x1b[0m\x1b[32m in 0.12s\x1b[0m',
     dict(passed=3, failed=0, skipped=0, errors=0)),
    ('= 1 failed, 2 passed, 1 error, 2 deselected in 4.00s =',
     dict(passed=2, failed=1, skipped=0, errors=1, deselected=2)),
    ('== no tests ran in 0.01s ==', dict(passed=0, failed=0, skipped=0,
                                        errors=0)),
])
def test_the_summary_line_is_read(line, counts):
    output = ['collected 5 items / 2 deselected\n', 'tests/x.py ..s\n',
              f'{line}\n']
    summary = parse_summary(output)
    assert summary.pop('summary_line') == ANSI.sub('', line).strip('= ')
    assert summary == counts


def test_the_last_summary_line_counts_and_none_is_refused():
    output = ['1 passed in 0.1s\n', 'make: more output\n',
              '=== 5 passed, 1 skipped in 9.5s ===\n', 'make: done\n']
    assert parse_summary(output)['passed'] == 5
    with pytest.raises(DanceStyleError, match='no pytest summary line'):
        parse_summary(['make: *** [test] Error 2\n'])


@pytest.fixture
def suite(tmp_path, monkeypatch):
    """A folder with a pytest.ini (so the repo's settings stay out) and a
    test file of one passing and one skipped test; the probe shortened."""
    monkeypatch.setattr(records, 'cpu_probe', functools.partial(
        records.cpu_probe, seconds=0.05, size=128))
    (tmp_path / 'pytest.ini').write_text('[pytest]\n')
    (tmp_path / 'test_one.py').write_text(
        'import pytest\n\n\ndef test_ok():\n    assert True\n\n\n'
        '@pytest.mark.skip(reason="shown as skipped")\n'
        'def test_skipped():\n    pass\n')
    return tmp_path


def pytest_command(folder, *files):
    return [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
            '-p', 'no:xdist', '-c', str(folder / 'pytest.ini'),
            *(str(folder / name) for name in files)]


def test_a_passing_suite_is_recorded(suite, capsys):
    out = suite / 'suite.json'
    command = pytest_command(suite, 'test_one.py')
    path, figures = time_suite(command, out, 'python tools/time_suite.py')
    record = records.read_record(path)
    assert path == out and record['figures'] == figures
    assert record['command'] == 'python tools/time_suite.py'
    assert record['commit'] and record['machine']['cores'] >= 1
    assert record['probe']['gflops_1_thread'] > 0
    assert (figures['passed'], figures['failed'], figures['skipped']) == \
        (1, 0, 1)
    assert figures['summary_line'].startswith('1 passed, 1 skipped in ')
    assert figures['command_run'].endswith('test_one.py')
    assert figures['exit_code'] == 0
    assert 0 < figures['make_test_seconds'] < 120
    # the suite's own output passed through as it ran
    assert '1 passed, 1 skipped' in capsys.readouterr().out


def test_a_failed_suite_writes_no_record_unless_kept(suite):
    (suite / 'test_two.py').write_text('def test_bad():\n    assert False\n')
    out = suite / 'suite.json'
    command = pytest_command(suite, 'test_one.py', 'test_two.py')
    with pytest.raises(DanceStyleError, match='failed .*no record written'):
        time_suite(command, out, 'x')
    assert not out.exists()
    # the tool: kept, the record says it failed, and so does the exit status
    proc = run_tool('tools/time_suite.py', '--json', out, '--keep-failed',
                    '--', *command, check=False)
    assert proc.returncode == 1, proc.stderr
    record = records.read_record(out)
    assert record['command'].startswith('python tools/time_suite.py --json ')
    figures = record['figures']
    assert (figures['passed'], figures['failed']) == (1, 1)
    assert figures['exit_code'] == 1
