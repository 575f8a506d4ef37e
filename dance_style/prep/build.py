"""The data preparation chain, stage by stage, over one records file.

Every stage reads ``<root>/prep/records.jsonl``, does its work (skipping
what is already done) and writes it back atomically, so the stages can run
one by one (``data_prep/<stage>.py``) or all at once
(``data_prep/build_dataset.py``), and a killed run is finished by running
the same command again.
"""
import json
import time
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from ..errors import DanceStyleError
from ..fileio import remove_stale_temp_files, write_text_atomic
from ..resources import split_lists_dir
from . import augment as augment_stage
from . import kinetics, letsdance, normalise as normalise_stage, options
from . import report
from . import split as split_stage
from .exclusion import Plan, make_plan
from .records import SourceClip, load_records, save_records


def records_path(root) -> Path:
    return Path(root) / 'prep' / 'records.jsonl'


def load(root) -> List[SourceClip]:
    path = records_path(root)
    if not path.is_file():
        raise DanceStyleError(
            f'{path} does not exist: run the collect stages first '
            '(data_prep/kinetics_filter.py and/or data_prep/letsdance_clips.py'
            ', or data_prep/build_dataset.py for everything)')
    return load_records(path)


def _save(root, records, stage: str, summary: dict) -> None:
    save_records(records_path(root), records)
    path = Path(root) / 'prep' / 'summary.json'
    summaries = json.loads(path.read_text()) if path.is_file() else {}
    summaries[stage] = summary
    write_text_atomic(path, json.dumps(summaries, indent=2) + '\n')


def _replace_dataset(root, dataset: str, new: List[SourceClip]) -> List[SourceClip]:
    path = records_path(root)
    old = load_records(path) if path.is_file() else []
    return [r for r in old if r.dataset != dataset] + new


def collect_kinetics(root, kinetics_root, csv_files: Optional[Sequence] = None):
    """Stage 1 into the records file (replacing earlier Kinetics records)."""
    new, summary = kinetics.collect(kinetics_root, csv_files)
    _save(root, _replace_dataset(root, 'kinetics700', new), 'kinetics',
          summary)
    return new, summary


def collect_letsdance(root, letsdance_root, label_map=letsdance.DEFAULT_MAP,
                      clip_seconds: float = letsdance.CLIP_SECONDS):
    """Stage 2 into the records file (replacing earlier Let's Dance ones)."""
    new, summary = letsdance.collect(letsdance_root, label_map, clip_seconds)
    _save(root, _replace_dataset(root, 'letsdance', new), 'letsdance',
          summary)
    return new, summary


def normalise(root, **options) -> dict:
    """Stage 3; ``options`` as :func:`dance_style.prep.normalise.normalise`."""
    records = load(root)
    # a run killed with SIGKILL may have left hidden temp files
    remove_stale_temp_files(Path(root) / 'videos')
    counts = normalise_stage.normalise(records, Path(root), **options)
    _save(root, records, 'normalise', counts)
    return counts


def split(root, ratios=split_stage.DEFAULT_RATIOS, seed: int = 0,
          protocol: str = split_stage.DEFAULT_PROTOCOL,
          exclude_from: Sequence = (), plan: Optional[Plan] = None) -> dict:
    """Stage 4 under ``protocol``, keeping the videos listed in the
    ``exclude_from`` files (or those of ``plan``,
    :func:`dance_style.prep.exclusion.make_plan`) out of val and test;
    returns the stage summary (also saved in ``prep/summary.json``, with
    what was and was not checked: ``pretraining_check``)."""
    plan = plan or make_plan(exclude_from=exclude_from)
    pretraining, lists = plan.read()
    records = load(root)
    pending = [r.key for r in records if r.status == 'ok' and not r.output]
    if pending:
        raise DanceStyleError(
            f'{len(pending)} clips are not normalised yet (e.g. {pending[0]}):'
            ' run data_prep/normalise.py first')
    result = split_stage.assign_splits(records, ratios, seed, protocol,
                                       pretraining)
    summary = dict(protocol=protocol, ratios=list(ratios), seed=seed,
                   exclude_from=lists, pretraining_check=plan.summary(),
                   **result)
    _save(root, records, 'split', summary)
    return summary


def augment(root, names: Sequence[str], **options) -> dict:
    """Stage 5; with no names it removes earlier copies from the lists
    (the files stay on disk)."""
    records = load(root)
    if any(r.status == 'ok' and not r.split for r in records):
        raise DanceStyleError('clips without a split: run data_prep/split.py '
                              'first')
    remove_stale_temp_files(Path(root) / 'videos')
    result = augment_stage.augment(records, Path(root), names, **options)
    _save(root, records, 'augment', result)
    return result


def write_outputs(root, ann_dir=None) -> dict:
    """Stage 6: annotation lists (into ``ann_dir``, by default the root's
    list folder: ``split_lists_dir``), manifest, chart; returns their
    paths."""
    records = load(root)
    if any(r.status == 'ok' and not r.split for r in records):
        raise DanceStyleError('clips without a split: run data_prep/split.py '
                              'first')
    paths = report.write_annotations(records,
                                     ann_dir or split_lists_dir(root))
    split_summary = split_summary_of(root)
    report.write_manifest(
        records, Path(root) / 'manifest.csv',
        split_summary.get('protocol', ''),
        split_summary.get('pretraining_check', {}).get('row_note', ''))
    report.plot_counts(records, Path(root) / 'class_counts.png')
    paths.update(manifest=str(Path(root) / 'manifest.csv'),
                 chart=str(Path(root) / 'class_counts.png'))
    return paths


def split_summary_of(root) -> dict:
    """What the last split stage recorded (``{}`` before one ran)."""
    path = Path(root) / 'prep' / 'summary.json'
    return json.loads(path.read_text()).get('split', {}) if path.is_file() \
        else {}


def build_dataset(args, log: Callable[[str], None] = print) -> dict:
    """All six stages with the flags of ``data_prep/build_dataset.py``
    (``args`` from :func:`dance_style.prep.options.build_parser`), printing
    each stage's header and summary through ``log``; returns the paths of
    the annotation lists, manifest and chart."""
    if not args.kinetics_root and not args.letsdance_root:
        raise DanceStyleError('give --kinetics-root, --letsdance-root or both')
    # every flag is checked before any work
    augmentations = augment_stage.parse_augmentations(args.augment)
    ratios = options.split_ratios(args)
    aug_options = options.augment_options(args)
    # the pretraining lists before any work: a missing one is refused here
    plan = make_plan(args.for_config or (), args.exclude_from or (),
                     args.kinetics_root, args.allow_pretraining_overlap)
    start = time.time()
    if plan.needs or plan.files:
        log('== pretraining lists: val and test are checked against these')
        for line in plan.describe():
            log(line)
    if args.kinetics_root:
        log('== 1/6 Kinetics-700-2020: the 19 dance labels')
        _, summary = collect_kinetics(args.out, args.kinetics_root,
                                      args.kinetics_csv)
        log(report.format_kinetics_summary(summary))
    if args.letsdance_root:
        log("== 2/6 Let's Dance: frames to clips, labels mapped")
        records, summary = collect_letsdance(
            args.out, args.letsdance_root, args.letsdance_map,
            args.letsdance_clip_seconds)
        log(report.format_letsdance_summary(records, summary))
    log(f'== 3/6 normalise: short side {args.short_side}, {args.fps:g} fps, '
        'H.264')
    counts = normalise(args.out, **options.normalise_options(args))
    log(f'{counts["written"]} written, {counts["skipped"]} already there, '
        f'{counts["failed"]} skipped')
    log(f'== 4/6 split {args.split}, protocol {args.protocol} (grouped by '
        f'source video, seed {args.seed})')
    summary = split(args.out, ratios, args.seed, args.protocol, plan=plan)
    log(report.format_split_summary(load(args.out), summary))
    log(f'== 5/6 offline augmentation: {", ".join(augmentations) or "none"}')
    result = augment(args.out, augmentations, **aug_options)
    for failure in result['failures']:
        log(f'  failed: {failure}')
    log('== 6/6 annotation files and manifest')
    paths = write_outputs(args.out, args.ann_dir)
    log(report.format_summary(load(args.out)))
    for name, path in paths.items():
        log(f'{name:>9}: {path}')
    # last, where it is read: what val and test were not checked against
    for line in report.format_check_warning(summary):
        log(line)
    log(f'done in {time.time() - start:.0f} s')
    return paths
