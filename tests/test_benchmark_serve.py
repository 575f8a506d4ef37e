"""tools/benchmark.py --what serve at a tiny size: a real server process,
two clients for a few seconds, one place in its queue. What the page under
load must do whatever the machine's speed: every request answered with 200
or 503, none lost or hung, the uploads folder empty at the end, the server
stopped cleanly, its memory sampled (speed is never asserted)."""
import pytest

from support import TINY_CONFIG
from dance_style.benchmark.command import main
from dance_style.benchmark.serve import percentiles, render_markdown
from dance_style.records import read_record


@pytest.mark.slow  # starts a server
def test_serve_benchmark_answers_every_request(tmp_path):
    pytest.importorskip('starlette', reason='the "serve" extra: pip install '
                        '-e ".[serve]"')
    out = tmp_path / 'serve.json'
    assert main([str(TINY_CONFIG), '--what', 'serve', '--clients', '2',
                 '--duration', '6', '--clip-seconds', '2', '3',
                 '--max-waiting', '0', '--serve-dir', str(tmp_path / 'b'),
                 '--json', str(out)]) == 0
    record = read_record(out)
    assert record['command'].startswith('python tools/benchmark.py ')
    assert record['commit'] and record['machine']['cores'] >= 1
    # times go with a CPU probe, taken before the load
    assert record['probe']['gflops_all_threads'] > 0
    result = record['figures']
    assert result['what'] == 'serve'
    assert len(result['load_average_before']) == 3
    assert [c['seconds'] for c in result['clips']] == [2, 3]
    (run, ) = result['runs']
    assert run['clients'] == 2 and run['server_limits']['max_waiting'] == 0
    # two clients, one place: both statuses, and nothing else
    assert set(run['statuses']) == {'200', '503'}, run['statuses']
    assert run['answered_200_or_503'] == run['requests'] > 0
    assert run['other_status'] == run['lost'] == run['hung'] == 0
    assert run['top5_in_every_200']
    assert run['uploads_empty'] and run['uploads_left'] == 0
    assert run['stopped_cleanly'] and run['folder_removed']
    assert run['rss_peak_mb'] >= run['rss_idle_mb'] > 0
    assert run['rss_samples'] > 1
    latency = run['latency_s']
    assert latency['all']['count'] == run['requests']
    assert latency['200']['count'] == run['statuses']['200']
    bound = result['memory_bound']
    assert bound['peak_mb'] == run['rss_peak_mb'] and bound['within_bound']
    # docs/serve_load.md's renderer reads a record of this shape
    page = render_markdown('serve', record)
    assert '[results/serve.json](results/serve.json)' in page
    assert f'| 2 | 6 | {run["requests"]} | {run["statuses"]["200"]} |' in page


def test_percentiles():
    assert percentiles([]) == dict(count=0, p50=None, p95=None, max=None)
    assert percentiles([3.0]) == dict(count=1, p50=3.0, p95=3.0, max=3.0)
    figures = percentiles([float(v) for v in range(1, 102)])
    assert (figures['p50'], figures['p95'], figures['max']) == (51, 96, 101)


def test_serve_refuses_config_options():
    from dance_style.errors import DanceStyleError
    with pytest.raises(DanceStyleError, match='instead of --cfg-options'):
        main(['--what', 'serve', '--cfg-options', 'a=1'])


def test_docs_render_the_records():
    """docs/serve_load.md is drawn from the records, not typed by hand: its
    block is what tools/render_results.py draws from docs/results/."""
    from support import REPO
    from dance_style.render import differing
    page = REPO / 'docs' / 'serve_load.md'
    assert '<!-- block serve-load -->' in page.read_text()
    assert differing(page) == []
