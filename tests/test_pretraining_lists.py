"""Exclusion lists per checkpoint (``--for-config``): the Kinetics train
lists a config's checkpoint was trained on are found as real downloads lay
them out, required before a build, and their videos kept out of val and
test; a missing one is refused before any work, or accepted with a warning
in the summary and manifest.csv; from-scratch configs need none; the
table of docs/data.md is the metafile's."""
import csv
import json
import shutil

import pytest

from support import REPO, run_tool
from dance_style.errors import DanceStyleError
from dance_style.prep import exclusion, exclusion_readme, kinetics_lists
from dance_style.synthetic.sources import write_kinetics_tree, youtube_id

K400_CONFIG = 'configs/i3d_nl_dance.py'  # fine-tunes from i3d-r50-nl-k400
K710_CONFIG = 'configs/uniformerv2_b16_k710_dance.py'  # k400, k600, k700
SCRATCH_CONFIGS = ('configs/demo/i3d_nl_dance_synthetic.py',
                   'configs/i3d_r50_imagenet_dance.py')
CLASSES = (4, 17)  # dancing ballet, tap dancing
# Kinetics-700-2020 validate videos that a Kinetics-400 train list names
# (clips k and k+1 of a class share a video): one of each class's three
LISTED = {youtube_id(0, name, 'validate', 0)
          for name in ('dancing ballet', 'tap dancing')}
BUILD_ARGS = ('--short-side', '32', '--fps', '8', '--split', '80,10,10',
              '--workers', '1', '--no-progress')
K400_HEADER = 'label,youtube_id,time_start,time_end,split\n'


def k400_csv(path, ids=LISTED):
    """A Kinetics-400 train.csv (its real columns) naming ``ids`` among
    videos of other labels."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(K400_HEADER + ''.join(
        f'dancing ballet,{yid},12,22,train\n' for yid in sorted(ids))
        + 'abseiling,-0aXo7Mx1lA,0,10,train\n'
        'zumba,ABCDEFGHIJK,30,40,train\n')
    return path


def build(root, out, *extra, check=True):
    return run_tool('data_prep/build_dataset.py', '--kinetics-root', root,
                    '--out', out, *BUILD_ARGS, *extra, check=check)


@pytest.fixture(scope='module')
def downloads(tmp_path_factory):
    """A miniature Kinetics-700-2020 download and a dataset built from it
    with no pretraining list (its videos normalised once; each test builds
    again on a copy, which skips them)."""
    base = tmp_path_factory.mktemp('downloads')
    root = base / 'k700-2020'
    write_kinetics_tree(root, layout='spaces', clips_per_class=2,
                        val_per_class=6, classes=CLASSES, size=(32, 40),
                        num_frames=16, fps=8.0, seed=0, broken=False,
                        workers=1, progress=False)
    out = base / 'dance19'
    proc = build(root, out)
    return dict(root=root, out=out, proc=proc)


def copy(downloads, tmp_path):
    """A download and its built dataset of this test's own, in
    tmp_path/data/ (so lists beside the download are this test's)."""
    root = tmp_path / 'data' / 'k700-2020'
    out = tmp_path / 'dance19'
    shutil.copytree(downloads['root'], root)
    shutil.copytree(downloads['out'], out)
    return root, out


def manifest(out):
    with open(out / 'manifest.csv', newline='') as handle:
        return [r for r in csv.DictReader(handle) if r['status'] == 'ok']


def split_summary(out):
    return json.loads((out / 'prep' / 'summary.json').read_text())['split']


# -- finding the lists ------------------------------------------------------

def test_lists_are_found_where_real_downloads_put_them(tmp_path):
    data = tmp_path / 'data'
    root = data / 'k700-2020'
    own = k400_csv(root / 'annotations' / 'train.csv')  # CVDF: the K700-2020
    (root / 'annotations' / 'validate.csv').write_text(K400_HEADER)
    # mmaction2's download_annotations.sh, beside the root, another case
    k400 = k400_csv(data / 'Kinetics-400' / 'annotations' /
                    'kinetics_train.csv')
    # DeepMind's tarball extracted inside the root
    k600 = k400_csv(root / 'kinetics600' / 'train.csv')
    # the 2019 Kinetics-700, its version in the file name
    k700_2019 = k400_csv(data / 'k700' / 'kinetics700_train.csv')
    # not train lists, or not Kinetics folders: ignored
    k400_csv(data / 'kinetics400_videos' / 'train.csv')
    k400_csv(data / 'Kinetics-400' / 'validate.csv')
    (data / 'k600').mkdir()  # a version folder without a train CSV
    search = kinetics_lists.find_lists(root)
    found = {name: [(f.path, f.how) for f in files]
             for name, files in search.found.items()}
    assert found == {
        'k400': [(k400, 'found beside --kinetics-root')],
        'k600': [(k600, 'found in --kinetics-root')],
        'k700': [(own, "the --kinetics-root download's own"),
                 (k700_2019, 'found beside --kinetics-root')]}
    assert f'found {data / "k600"} but no train CSV' in search.places('k600')
    assert str(root) in search.places('k400')


def test_exclude_from_names_a_list_or_gives_a_file_of_its_own(tmp_path):
    k400 = k400_csv(tmp_path / 'lists' / 'ids.csv')
    k600 = k400_csv(tmp_path / 'kinetics600' / 'annotations' / 'train.csv')
    mine = k400_csv(tmp_path / 'mine.csv')
    files = kinetics_lists.parse_given([f'k400={k400}', str(k600), str(mine)])
    assert [(f.path, f.name) for f in files] == [
        (k400, 'k400'), (k600, 'k600'), (mine, None)]
    assert [f.label for f in files] == ['ids.csv (k400)', 'train.csv (k600)',
                                        'mine.csv']
    # a plain path whose name says the list fulfils a config's need
    k400_train = k400_csv(tmp_path / 'kinetics400' / 'train.csv')
    plan = exclusion.make_plan([K400_CONFIG], [str(k400_train)])
    assert [f.name for f in plan.files] == ['k400'] and not plan.missing
    assert plan.row_note() == 'checked against k400'
    with pytest.raises(DanceStyleError, match="unknown list 'k710'.*k400, "
                       'k600, k700'):
        kinetics_lists.parse_given([f'k710={k400}'])
    with pytest.raises(DanceStyleError, match='nowhere.csv: no such file'):
        kinetics_lists.parse_given([f'k400={tmp_path / "nowhere.csv"}'])


def test_the_list_names_are_the_metafiles():
    from dance_style import zoo
    assert kinetics_lists.LISTS == tuple(zoo.KINETICS_LISTS)
    assert set(kinetics_lists.DOWNLOADS) == set(zoo.KINETICS_LISTS)


# -- what a config needs ----------------------------------------------------

def test_a_k710_config_needs_three_lists_and_names_what_is_missing(tmp_path):
    root = tmp_path / 'k700-2020'
    own = k400_csv(root / 'annotations' / 'train.csv')
    k400 = k400_csv(tmp_path / 'k400.csv')
    with pytest.raises(DanceStyleError) as error:
        exclusion.make_plan([K710_CONFIG], [f'k400={k400}'], root)
    message = str(error.value)
    assert 'uniformerv2-b16-k710-k700' in message
    assert 'k600 (Kinetics-600 train): looked for train.csv' in message
    assert f'inside {root} and beside it in {tmp_path}' in message
    assert 'Datasets/kinetics600.tar.gz' in message
    assert f'put it in {root / "kinetics600"}/ or pass --exclude-from ' \
           'k600=PATH' in message
    assert '--allow-pretraining-overlap' in message
    assert 'k400 (' not in message and 'k700 (' not in message  # had those
    plan = exclusion.make_plan([K710_CONFIG], [f'k400={k400}'], root,
                               allow_overlap=True)
    assert [(f.path, f.name) for f in plan.files] == [(k400, 'k400'),
                                                      (own, 'k700')]
    assert plan.missing == {'k600': [K710_CONFIG]}
    assert 'NOT checked against k600' in plan.warning()
    assert plan.row_note() == ('checked against k400, k700; NOT checked '
                               'against k600 (missing; '
                               '--allow-pretraining-overlap)')


def test_from_scratch_and_imagenet_configs_need_no_list():
    plan = exclusion.make_plan(SCRATCH_CONFIGS)  # no root, no list: fine
    assert not plan.files and not plan.missing and not plan.warning()
    assert plan.row_note().startswith('no pretraining list needed')
    assert all('no list needed' in line for line in plan.describe())


def test_weights_the_metafile_does_not_describe_are_refused(tmp_path):
    config = tmp_path / 'mine.py'
    config.write_text("load_from = 'checkpoints/my_kinetics_weights.pth'\n")
    with pytest.raises(DanceStyleError, match='loads checkpoints/my_kinetics'
                       "_weights.pth, which configs/metafile.yml's "
                       'Checkpoints do not describe'):
        exclusion.make_plan([config])
    plan = exclusion.make_plan([config], allow_overlap=True)
    assert 'my_kinetics_weights.pth' in plan.warning()
    with pytest.raises(DanceStyleError, match='no such config'):
        exclusion.make_plan([tmp_path / 'nowhere.py'])
    with pytest.raises(DanceStyleError, match='goes with --for-config'):
        exclusion.make_plan(allow_overlap=True)


def test_the_docs_table_is_the_metafiles():
    """docs/data.md shows what --for-config requires, as the
    pretraining-lists block that python tools/render_results.py draws from
    the metafile."""
    from dance_style.render import BLOCK
    text = (REPO / 'docs' / 'data.md').read_text()
    (body, ) = [m['body'] for m in BLOCK.finditer(text)
                if m['name'] == 'pretraining-lists']
    configs = exclusion_readme.metafile_configs()
    assert body == exclusion_readme.readme_table(configs)
    assert f'| `{K400_CONFIG}` | `i3d-r50-nl-k400` |' in body


# -- builds -----------------------------------------------------------------

def test_a_build_without_lists_says_val_and_test_went_unchecked(downloads):
    out = downloads['out']
    said = downloads['proc'].stdout.splitlines()[-2]  # before 'done in'
    assert said.startswith('warning: val and test were not checked against '
                           'any pretraining list') and '--for-config' in said
    assert 'not checked against any' in split_summary(out)[
        'pretraining_check']['warning']
    rows = manifest(out)
    held = [r for r in rows if r['split'] in ('val', 'test')]
    assert held and {r['pretraining_check'] for r in held} == {
        'not checked against any pretraining list (no --for-config or '
        '--exclude-from)'}
    assert {r['pretraining_check'] for r in rows if r['split'] == 'train'} \
        == {''}
    # the control: unchecked, the listed videos do reach val and test
    assert {r['group'] for r in held} & LISTED


def test_a_build_for_a_k400_config_keeps_its_videos_out(downloads, tmp_path):
    root, out = copy(downloads, tmp_path)
    listed = k400_csv(root / 'kinetics400' / 'train.csv')
    proc = build(root, out, '--for-config', K400_CONFIG)
    assert f'k400 (Kinetics-400 train): {listed} (found in --kinetics-root)' \
        in proc.stdout
    assert f'{K400_CONFIG}: checkpoint i3d-r50-nl-k400' in proc.stdout
    assert 'warning' not in proc.stdout
    rows = manifest(out)
    pinned = [r for r in rows if r['group'] in LISTED]
    assert len(pinned) == 4 and {r['split'] for r in pinned} == {'train'}
    assert all('pretraining list train.csv (k400)' in r['split_rule']
               for r in pinned)
    held = [r for r in rows if r['split'] in ('val', 'test')]
    assert {r['split'] for r in held} == {'val', 'test'}
    assert {r['pretraining_check'] for r in held} == {'checked against k400'}
    check = split_summary(out)['pretraining_check']
    assert check['lists'] == [dict(path=str(listed), list='k400',
                                   how='found in --kinetics-root')]
    assert check['warning'] == ''


def test_a_build_for_a_k400_config_without_its_list_is_refused(
        downloads, tmp_path):
    root = tmp_path / 'data' / 'k700-2020'
    shutil.copytree(downloads['root'], root)
    out = tmp_path / 'dance19'
    proc = build(root, out, '--for-config', K400_CONFIG, check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert f'{K400_CONFIG} fine-tunes from i3d-r50-nl-k400' in proc.stderr
    assert 'k400 (Kinetics-400 train): looked for train.csv' in proc.stderr
    assert 'deepmind-media/Datasets/kinetics400.tar.gz' in proc.stderr
    assert '--allow-pretraining-overlap' in proc.stderr
    assert not out.exists()  # refused before any work


def test_accepting_the_overlap_warns_in_summary_and_manifest(downloads,
                                                             tmp_path):
    root, out = copy(downloads, tmp_path)
    proc = build(root, out, '--for-config', K400_CONFIG,
                 '--allow-pretraining-overlap')
    warning = ('val and test were NOT checked against k400 (Kinetics-400 '
               f'train), which the checkpoint of {K400_CONFIG} was trained '
               'on (--allow-pretraining-overlap)')
    assert proc.stdout.splitlines()[-2].startswith(f'warning: {warning}')
    assert split_summary(out)['pretraining_check']['warning'].startswith(
        warning)
    held = [r for r in manifest(out) if r['split'] in ('val', 'test')]
    assert held and {r['pretraining_check'] for r in held} == {
        'NOT checked against k400 (missing; --allow-pretraining-overlap)'}


def test_the_split_stage_for_a_from_scratch_config(downloads, tmp_path):
    _, out = copy(downloads, tmp_path)
    proc = run_tool('data_prep/split.py', '--out', out, '--split', '80,10,10',
                    '--for-config', SCRATCH_CONFIGS[0])
    assert f'{SCRATCH_CONFIGS[0]}: no Kinetics checkpoint' in proc.stdout
    assert 'warning' not in proc.stdout
    check = split_summary(out)['pretraining_check']
    assert check['warning'] == '' and check['lists'] == []
    assert check['row_note'].startswith('no pretraining list needed')


def test_the_lookup_tool_prints_the_table_and_finds_the_files(tmp_path):
    proc = run_tool('data_prep/pretraining_lists.py')
    assert proc.stdout == exclusion_readme.readme_table(
        exclusion_readme.metafile_configs())
    root = tmp_path / 'k700-2020'
    root.mkdir()
    listed = k400_csv(tmp_path / 'K400' / 'train.csv')
    proc = run_tool('data_prep/pretraining_lists.py', K400_CONFIG,
                    '--kinetics-root', root)
    assert proc.stdout.rstrip().endswith(
        f'k400 (Kinetics-400 train): {listed} (found beside '
        '--kinetics-root)')
    proc = run_tool('data_prep/pretraining_lists.py', K710_CONFIG,
                    '--kinetics-root', root, check=False)
    assert proc.returncode == 2 and 'k600 (Kinetics-600 train): looked' \
        in proc.stderr
