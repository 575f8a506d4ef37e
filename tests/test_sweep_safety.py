"""A sweep's database may be shared, and so written by others: what comes
back from it never becomes code in best_config.py, and the storage
password never reaches a file, a log or a worker's command line."""
import json
import os
import stat
import uuid
from pathlib import Path
from urllib.parse import quote, quote_plus

import optuna
import pytest
from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                  IntDistribution)
from optuna.trial import TrialState

from support import run_tool
from dance_style.errors import DanceStyleError
from dance_style.sweep.report import check_plain_data, write_best_config
from dance_style.sweep.space import SearchSpace
from dance_style.sweep.storage import (STORAGE_ENV, describe, open_storage,
                                       passwords, read_password_file, redact,
                                       resolve_storage, worker_storage)
from dance_style.sweep.study import SweepSettings
from test_sweep import (FAST_SPACE, POSTGRES, SWEEP_CONFIG,  # noqa: F401
                        fast_options, write_space)

optuna.logging.set_verbosity(optuna.logging.WARNING)

SPACE = """\
optim_wrapper.optimizer:
  choice:
    SGD: {type: SGD, momentum: 0.9, weight_decay: 1.0e-4}
    AdamW: {type: AdamW, weight_decay: {float: [1.0e-4, 1.0e-1], log: true}}
optim_wrapper.optimizer.lr: {float: [1.0e-5, 1.0e-1], log: true}
model.cls_head.dropout_ratio: {float: [0.1, 0.7]}
train_cfg.max_epochs: {int: [1, 3]}
"""
# the legitimate best trial's values
PINNED = {'optim_wrapper.optimizer': 'AdamW',
          'optim_wrapper.optimizer[AdamW].weight_decay': 0.02,
          'optim_wrapper.optimizer.lr': 1e-3,
          'model.cls_head.dropout_ratio': 0.25,
          'train_cfg.max_epochs': 2}


def payload(marker: Path) -> str:
    """Python that leaves ``marker`` behind if it ever runs."""
    return f"__import__('pathlib').Path({str(marker)!r}).touch()  #"


@pytest.fixture(params=['sqlite', 'postgresql'])
def storage(request, tmp_path):
    """A storage URL: a SQLite file, or the PostgreSQL server of
    DANCE_STYLE_TEST_POSTGRES (as tests/test_sweep.py's fixture)."""
    if request.param == 'sqlite':
        return f'sqlite:///{tmp_path / "shared.db"}'
    return postgres_or_skip()


def postgres_or_skip() -> str:
    if not POSTGRES:
        message = ('no PostgreSQL server: start one with the recipe of '
                   'docs/sweep.md ("PostgreSQL and its password") '
                   'and set DANCE_STYLE_'
                   'TEST_POSTGRES=postgresql://optuna:PASSWORD@localhost/'
                   'optuna')
        if os.environ.get('DANCE_STYLE_REQUIRE_POSTGRES'):
            pytest.fail(message)  # CI starts one: a skip is a failure
        pytest.skip(message)
    return POSTGRES


def settings_for(folder: Path, storage: str, name: str) -> SweepSettings:
    return SweepSettings(
        config=str(SWEEP_CONFIG), space_file=str(write_space(folder, SPACE)),
        study_name=name, storage=storage, study_dir=folder / 'study')


def legit_study(settings: SweepSettings, value: float = 0.5):
    """A study holding one trial drawn as the sweep draws it (the
    PINNED values), with the overrides it stores."""
    study = optuna.create_study(study_name=settings.study_name,
                                storage=settings.storage,
                                direction='maximize')
    study.enqueue_trial(PINNED)
    trial = study.ask()
    overrides = SearchSpace.from_file(settings.space_file).sample(trial)
    trial.set_user_attr('overrides', json.dumps(overrides, default=str))
    study.tell(trial, value)
    return study


def plant(study, change, storage: str) -> None:
    """Add a COMPLETE trial better than the legitimate one: its params,
    distributions and overrides copied, then altered by ``change``.

    Optuna refuses a choice outside a study's choices; someone writing to
    the database directly does not ask it: such a parameter is rewritten
    with SQL."""
    legit = study.trials[0]
    params = dict(legit.params)
    distributions = dict(legit.distributions)
    overrides = json.loads(legit.user_attrs['overrides'])
    change(params, distributions, overrides)
    rewritten = {name: (params[name], distributions[name])
                 for name in params if name in legit.distributions
                 and distributions[name] != legit.distributions[name]}
    study.add_trial(optuna.trial.create_trial(
        params={**params, **{name: legit.params[name]
                             for name in rewritten}},
        distributions={**distributions, **{
            name: legit.distributions[name] for name in rewritten}},
        value=0.99, user_attrs={'overrides': json.dumps(overrides)}))
    if not rewritten:
        return
    import sqlalchemy
    engine = sqlalchemy.create_engine(storage)
    trial_id = study.trials[-1]._trial_id
    try:
        with engine.begin() as connection:
            for name, (value, distribution) in rewritten.items():
                connection.execute(sqlalchemy.text(
                    'UPDATE trial_params SET param_value = :value, '
                    'distribution_json = :json WHERE trial_id = :id AND '
                    'param_name = :name'), dict(
                        value=distribution.to_internal_repr(value),
                        json=optuna.distributions.distribution_to_json(
                            distribution), id=trial_id, name=name))
    finally:
        engine.dispose()


def hostile_key(marker):
    return f'optim_wrapper.optimizer.lr\n{payload(marker)}'


def _param_key(marker, params, distributions, overrides):
    params[hostile_key(marker)] = 0.5
    distributions[hostile_key(marker)] = FloatDistribution(0, 1)


def _override_key(marker, params, distributions, overrides):
    overrides[hostile_key(marker)] = 0.5


def _quoted_override_key(marker, params, distributions, overrides):
    # the exploit of the unvalidated writer, no newline needed: mmengine
    # writes a key that is no identifier as '{key}' without escaping it,
    # so this one closed its quotes, ran in a dict display when
    # tools/train.py loaded the file, and reopened them (no dot after the
    # path's: a dotted key is split)
    code = list(f'import pathlib; pathlib.Path({str(marker)!r}).touch()'
                .encode())
    overrides[f"model.cls_head.x': exec(bytes({code})), 'y"] = 1


def _nested_override_key(marker, params, distributions, overrides):
    # mmengine writes a dict key that is no identifier as '{key}', unquoted
    overrides['optim_wrapper.optimizer'][f"x': 1}}\n{payload(marker)}"] = 1


def _override_value(marker, params, distributions, overrides):
    overrides['model.cls_head.dropout_ratio'] = f'0.3\n{payload(marker)}'


def _choice_value(marker, params, distributions, overrides):
    value = f"AdamW'\n{payload(marker)}"
    params['optim_wrapper.optimizer'] = value
    distributions['optim_wrapper.optimizer'] = CategoricalDistribution(
        [value])


def _out_of_range(marker, params, distributions, overrides):
    params['optim_wrapper.optimizer.lr'] = 10.0
    distributions['optim_wrapper.optimizer.lr'] = FloatDistribution(
        1e-5, 100, log=True)


def _float_for_int(marker, params, distributions, overrides):
    params['train_cfg.max_epochs'] = 2.5
    distributions['train_cfg.max_epochs'] = FloatDistribution(1, 3)


HOSTILE = {
    'param key': (_param_key, 'does not define'),
    'override key': (_override_key, 'does not define'),
    'override key with quotes': (_quoted_override_key, 'does not define'),
    'key inside an override': (_nested_override_key,
                               'is not the value its parameters give'),
    'override value': (_override_value,
                       'is not the value its parameters give'),
    'choice value': (_choice_value, 'is not one of'),
    'value out of range': (_out_of_range, 'is not a number in'),
    'float for an int': (_float_for_int, 'is not an integer in'),
}


@pytest.mark.parametrize('case', HOSTILE)
def test_a_planted_best_trial_never_becomes_code(case, storage, tmp_path):
    change, message = HOSTILE[case]
    marker = tmp_path / 'PWNED'
    settings = settings_for(tmp_path, storage,
                            f'safety_{uuid.uuid4().hex[:8]}')
    study = legit_study(settings)
    plant(study, lambda *args: change(marker, *args), storage)
    study = optuna.load_study(study_name=settings.study_name,
                              storage=storage)  # read back from the database
    assert study.best_trial.number == 1  # the planted one
    out = settings.study_dir / 'best_config.py'
    try:
        write_best_config(study, settings, out)
        refused = None
    except DanceStyleError as error:
        refused = str(error)
    if out.exists():  # never, but had it been written: load it as train.py
        from mmengine.config import Config
        try:
            Config.fromfile(out)
        finally:
            assert not marker.exists(), 'best_config.py ran planted code'
    assert refused is not None and not out.exists(), \
        'the planted trial was not refused'
    assert message in refused
    assert 'trial 1 ' in refused and 'refusing' in refused
    if case.endswith('key'):
        # named as repr shows it, newline escaped: one line
        assert repr(hostile_key(marker)) in refused
    assert not marker.exists()


def test_a_legitimate_best_config_loads_with_its_values(storage, tmp_path):
    from mmengine.config import Config
    marker = tmp_path / 'PWNED'
    # the study's name is stored in the database too, and goes into the
    # header: a newline in it must not end the comment
    settings = settings_for(tmp_path, storage,
                            f'safety_{uuid.uuid4().hex[:8]}\n'
                            f'{payload(marker)}')
    study = legit_study(settings)
    out = settings.study_dir / 'best_config.py'
    assert write_best_config(study, settings, out)
    cfg = Config.fromfile(out)
    assert not marker.exists()
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.type == 'AdamW' and 'momentum' not in optimizer
    assert optimizer.lr == PINNED['optim_wrapper.optimizer.lr']
    assert optimizer.weight_decay == 0.02
    assert cfg.model.cls_head.dropout_ratio == 0.25
    assert cfg.train_cfg.max_epochs == 2
    header = out.read_text().split('\n\n', 1)[0]
    assert all(line.startswith('#') for line in header.splitlines())
    assert repr(settings.study_name) in header
    assert "#   'optim_wrapper.optimizer.lr': 0.001" in header


def test_the_sweep_command_refuses_a_planted_best_trial(storage, tmp_path):
    """No training: the study already holds --max-trials trials, so the
    command goes straight to its report."""
    marker = tmp_path / 'PWNED'
    settings = settings_for(tmp_path, storage,
                            f'safety_{uuid.uuid4().hex[:8]}')
    study = legit_study(settings)
    plant(study, lambda *args: _override_key(marker, *args),
          storage)
    stale = settings.study_dir / 'best_config.py'
    stale.parent.mkdir(parents=True)
    stale.write_text('# an earlier run\'s best\n')
    proc = run_tool('tools/sweep.py', SWEEP_CONFIG, '--max-trials', '2',
                    '--study-name', settings.study_name, '--search-space',
                    settings.space_file, '--work-dir', settings.study_dir,
                    env={STORAGE_ENV: storage}, check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'does not define' in proc.stderr
    assert repr(hostile_key(marker)) in proc.stderr
    # the other outputs are written; no best config, not even the old one
    assert not stale.exists() and not marker.exists()
    summary = json.loads((settings.study_dir / 'summary.json').read_text())
    assert summary['best_config'] is None
    assert 'does not define' in summary['best_config_refused']
    assert (settings.study_dir / 'trials.md').is_file()


def test_a_search_space_path_is_dotted_identifiers():
    for path in ('a.b\nimport os', "a.b']", 'a..b', 'a.0'):
        with pytest.raises(DanceStyleError, match='dotted config paths'):
            SearchSpace({path: 1})


def test_only_plain_settings_pass_the_written_file_check():
    check_plain_data("a = dict(b=[1, -2.5, (None, True)], c={'d.e': 'f'})\n"
                     'g = 3\n', 'ok.py')
    for text in ('a = 1\nimport os\n', 'a = open("x")\n', 'a = b\n',
                 'a = dict(**b)\n', 'a.b = 1\n', "a = 1\n'\n"):
        with pytest.raises(DanceStyleError, match='not written'):
            check_plain_data(text, 'bad.py')


# ------------------------------------------------------------ the password

SECRET = 'pa@ss/w:rd-Zq81'  # quoted in a URL: pa%40ss%2Fw%3Ard-Zq81
URL = f'postgresql://optuna:{quote(SECRET, safe="")}@127.0.0.1:1/optuna'


def forms(secret: str):
    """The password as any file or log could hold it."""
    return {secret, quote(secret, safe=''), quote_plus(secret)}


def assert_nowhere(secret: str, texts) -> None:
    for name, text in texts:
        for form in forms(secret):
            assert form not in text, f'the password is in {name}'


def test_urls_are_shown_with_the_password_masked():
    assert passwords(URL) == [SECRET]
    assert describe(URL) == 'postgresql://optuna:***@127.0.0.1:1/optuna'
    assert describe('postgresql://u@h/db?password=x9&sslmode=require') == \
        'postgresql://u@h/db?password=***&sslmode=require'
    # what SQLAlchemy cannot parse is masked all the same
    assert describe('pg://u:s3cr3t@h:port/db') == 'pg://u:***@h:port/db'
    for url in ('sqlite:////tmp/a b/study.db', 'work_dirs/s/study.journal',
                'postgresql://optuna@db-host/optuna'):
        assert describe(url) == url
    message = f'could not connect to {URL} with password {SECRET}'
    assert_nowhere(SECRET, [('redact', redact(message, URL))])
    # the settings as a worker's file and as repr (a traceback, a log)
    settings = SweepSettings(config='c.py', space_file='s.yaml',
                             study_name='s', storage=URL,
                             study_dir=Path('d'))
    assert_nowhere(SECRET, [('to_json', settings.to_json()),
                            ('repr', repr(settings))])
    assert json.loads(settings.to_json())['storage'] == describe(URL)


def test_a_storage_error_does_not_show_the_password():
    with pytest.raises(DanceStyleError, match='server is reachable') as info:
        open_storage(URL)
    assert describe(URL) in str(info.value)
    assert_nowhere(SECRET, [('the error', str(info.value))])


def test_the_password_comes_from_a_private_file_or_the_environment(
        tmp_path, monkeypatch):
    monkeypatch.delenv(STORAGE_ENV, raising=False)
    secret = tmp_path / 'password'
    secret.write_text(SECRET + '\n')
    secret.chmod(0o644)
    bare = 'postgresql://optuna@db-host/optuna'
    with pytest.raises(DanceStyleError, match='chmod 600') as info:
        resolve_storage(bare, str(secret), tmp_path)
    assert 'mode 0644' in str(info.value)
    secret.chmod(0o600)
    url = resolve_storage(bare, str(secret), tmp_path)
    from sqlalchemy.engine import make_url
    assert make_url(url).password == SECRET
    assert describe(url) == 'postgresql://optuna:***@db-host/optuna'
    assert read_password_file(str(secret)) == SECRET
    with pytest.raises(DanceStyleError, match='holds a password already'):
        resolve_storage(url, str(secret), tmp_path)
    with pytest.raises(DanceStyleError, match='database server URL'):
        resolve_storage(None, str(secret), tmp_path)  # the SQLite default
    # without --storage: the environment's URL, else the study's SQLite
    assert resolve_storage(None, None, tmp_path).startswith('sqlite:///')
    monkeypatch.setenv(STORAGE_ENV, URL)
    assert resolve_storage(None, None, tmp_path) == URL
    assert resolve_storage(bare, None, tmp_path) == bare


def test_workers_get_the_password_through_their_environment(
        tmp_path, monkeypatch, capsys):
    import subprocess
    import sys

    from dance_style.sweep import workers
    real_popen = subprocess.Popen
    started = []

    def worker(args, **kwargs):
        started.append((args, kwargs['env']))
        return real_popen([sys.executable, '-c', 'pass'], **kwargs)

    monkeypatch.setattr(workers.subprocess, 'Popen', worker)
    settings = SweepSettings(config='c.py', space_file='s.yaml',
                             study_name='s', storage=URL, study_dir=tmp_path,
                             n_trials=2)
    assert workers.run_workers(settings, 2, optuna.create_study()) == 0
    assert len(started) == 2
    out = capsys.readouterr()
    texts = [('stdout', out.out), ('stderr', out.err)]
    for index, (args, env) in enumerate(started):
        assert env[STORAGE_ENV] == URL
        texts.append((f'worker {index} argv', ' '.join(map(str, args))))
    files = [path for path in tmp_path.rglob('*') if path.is_file()]
    assert {path.name for path in files} >= {'worker_0.json', 'worker_1.json'}
    texts += [(str(path), path.read_text()) for path in files]
    assert_nowhere(SECRET, texts)
    # the worker's side: the masked file and the full URL in its environment
    shown = json.loads((tmp_path / 'worker_0.json').read_text())['storage']
    assert worker_storage(shown, started[0][1]) == URL
    with pytest.raises(DanceStyleError, match=STORAGE_ENV):
        worker_storage(shown, {})
    with pytest.raises(DanceStyleError, match='start workers with'):
        worker_storage(shown, {STORAGE_ENV: URL.replace('optuna', 'other')})


def test_a_shared_sweep_writes_its_password_nowhere(fast_options, tmp_path):
    """A real 2-worker sweep on PostgreSQL, the password read from a
    private file: every file the sweep leaves and everything it prints is
    searched for it."""
    from sqlalchemy.engine import URL, make_url
    url = make_url(postgres_or_skip())
    password = url.password
    bare = URL.create(url.drivername, url.username, None, url.host, url.port,
                      url.database, url.query).render_as_string(
                          hide_password=False)
    assert password and not any(form in bare for form in forms(password)), (
        'DANCE_STYLE_TEST_POSTGRES needs a password that appears nowhere '
        'else in its URL (not the user or database name) for this search '
        'to mean anything; .ci/run sets one')
    secret = tmp_path / 'password'
    secret.write_text(password + '\n')
    secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
    folder = tmp_path / 's'
    name = f'safety_{uuid.uuid4().hex[:8]}'
    proc = run_tool(
        'tools/sweep.py', SWEEP_CONFIG, '--n-trials', '2', '--workers', '2',
        '--pruner', 'none', '--study-name', name, '--storage', bare,
        '--storage-password-file', secret,
        '--search-space', write_space(tmp_path, FAST_SPACE),
        '--work-dir', folder, *fast_options,
        env=dict(OMP_NUM_THREADS='1', **{STORAGE_ENV: None}))
    # the workers reached the database: the password got to them
    study = optuna.load_study(study_name=name, storage=postgres_or_skip())
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2
    files = [path for path in folder.rglob('*') if path.is_file()]
    names = {path.name for path in files}
    assert {'worker_0.json', 'worker_1.log', 'best_config.py',
            'summary.json', 'trials.md'} <= names, names
    assert any(path.suffix == '.log' and path.parent.name != 's'
               for path in files)  # the trials' own training logs
    assert sum(1 for path in files if path.suffix == '.pth') == 2
    worker_file = json.loads((folder / 'worker_0.json').read_text())
    assert worker_file['storage'] == url.render_as_string(hide_password=True)
    assert_nowhere(password, [('stdout', proc.stdout),
                              ('stderr', proc.stderr)] + [
        (str(path), path.read_bytes().decode('latin-1')) for path in files])
    assert 'optuna:***@' in proc.stderr  # the header shows it masked
