"""The demos on the embedded synthetic dataset, start to end, through the
real data path and the functions behind the tools (``tools/demo.py``:
``make demo`` and ``make two-stream``).

:func:`run_main`: synthetic Kinetics-700-2020 and Let's Dance downloads ->
``data_prep/build_dataset.py``'s chain -> train the I3D R50 NonLocal demo
config -> test it -> predict a held-out clip -> training curves.
:func:`run_two_stream`: the same dataset (built when missing) -> optical
flow -> train the RGB and the flow stream -> test both -> late fusion.

The dataset's location is given once (``data``) and reaches every stage:
the build writes there, and :func:`dance_style.config.set_data_root` points
every split of every config at it.
"""
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from .classes import DANCE19_CLASSES
from .resources import CONFIGS, shown, split_lists_dir
from .timeline_tuning import VIDEOS as TUNING_VIDEOS
from .views import (View, add_agreement, choose_on_validation,
                    set_test_views, test_views, views_per_video)

# the configs, wherever the demo is started from
DEMO_CONFIG = str(CONFIGS / 'demo' / 'i3d_nl_dance_synthetic.py')
# the synthetic Kinetics clips' frame, height x width
CLIP_SIZE = (80, 80)
# the test views (clips per video, crop) the demos choose among on the
# validation clips; the config's own is always among them
VIEW_CANDIDATES = ((1, 'CenterCrop'), (3, 'CenterCrop'), (4, 'CenterCrop'),
                   (8, 'CenterCrop'), (8, 'ThreeCrop'))
STREAM_CONFIGS = {
    'rgb': str(CONFIGS / 'demo' / 'i3d_inception_rgb_synthetic.py'),
    'flow': str(CONFIGS / 'demo' / 'i3d_inception_flow_synthetic.py'),
}


@dataclass
class DemoSettings:
    """Where the demos read and write, and how big the dataset is."""

    raw: Path = Path('data/synthetic_raw')  # synthetic downloads
    data: Path = Path('data/synthetic_dance19')  # the built dataset
    work_dir: Optional[Path] = None  # default per demo, under work_dirs/
    clips_per_class: int = 48  # Kinetics train.csv clips per class
    # Kinetics validate.csv clips per class: under the leak-free protocol
    # val and test come from these (and Let's Dance), so enough of them for
    # over 100 test clips
    val_per_class: int = 14
    letsdance_clips: int = 6  # Let's Dance clips per class
    flow_method: str = 'farneback'  # 1.4 ms per pair at 64 px; tvl1 ~30x
    # merged into every config the demo loads, so that the model tested,
    # asked for a prediction and run on the long video is the one trained
    cfg_options: Dict = field(default_factory=dict)
    # 'auto': bfloat16 autocast where the CPU has the instructions and the
    # bf16 check (dance_style.bf16_check) finds it right and faster here,
    # else float32; 'bf16' (refused where the check fails) or 'fp32'
    precision: str = 'auto'
    # where the run's record goes (default: work_dir/record.json); the
    # README's figures are rendered from docs/results/demo.json
    record: Optional[Path] = None
    # the test views chosen among on the validation clips (the config's own
    # is always added)
    view_candidates: Sequence[View] = VIEW_CANDIDATES
    # generated long videos the timeline's segment settings are chosen on
    # (tools/tune_timeline.py's choice, on the model just trained)
    timeline_videos: int = TUNING_VIDEOS

    def use_bf16(self, cfg) -> bool:
        """Whether training ``cfg`` runs under bfloat16 autocast (--amp)."""
        if self.precision == 'auto':
            import torch

            from .bf16_check import auto_bf16
            return not torch.cuda.is_available() and auto_bf16(cfg)
        return self.precision == 'bf16'


class Stages:
    """Prints ``== k/n title`` headers, as the demos always have."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def __call__(self, title: str) -> None:
        self.done += 1
        print(f'== {self.done}/{self.total} {title}', flush=True)


def write_downloads(settings: DemoSettings) -> None:
    """Synthetic Kinetics-700-2020 and Let's Dance downloads in their real
    formats, broken as real downloads are."""
    from .synthetic.sources import (format_kinetics_tree,
                                    format_letsdance_tree,
                                    write_kinetics_tree,
                                    write_letsdance_tree)
    kinetics = settings.raw / 'kinetics700'
    # CLIP_SIZE clips, 3 s at 16 fps; every 6th Kinetics clip is missing,
    # empty, truncated, garbage or too short
    result = write_kinetics_tree(
        kinetics, layout='spaces', clips_per_class=settings.clips_per_class,
        val_per_class=settings.val_per_class, size=CLIP_SIZE, workers=2)
    print(format_kinetics_tree(result, kinetics))
    letsdance = settings.raw / 'letsdance'
    # 10 s frame sequences at 24/25/30 fps, 16:9, as the real ones
    result = write_letsdance_tree(
        letsdance, clips_per_class=settings.letsdance_clips, size=(72, 128),
        workers=2)
    print(format_letsdance_tree(result, letsdance))


def build_dataset(settings: DemoSettings, configs) -> None:
    """The synthetic downloads through the whole data preparation chain,
    as ``data_prep/build_dataset.py`` runs it, into ``settings.data``, for
    ``configs`` (their checkpoints' pretraining lists: none, the demos train
    from scratch, and the build says so)."""
    from .prep import build, options
    args = options.build_parser().parse_args([
        '--kinetics-root', str(settings.raw / 'kinetics700'),
        '--letsdance-root', str(settings.raw / 'letsdance'),
        '--out', str(settings.data),
        '--ann-dir', str(split_lists_dir(settings.data)),
        # small, short clips for a CPU; the default leak-free protocol: val
        # and test from the validate clips (1:1) and Let's Dance (80/10/10)
        '--short-side', '64', '--fps', '16', '--split', '80,10,10',
        '--workers', '2', '--for-config', *map(str, configs)])
    build.build_dataset(args)


def best_checkpoint(work_dir: Path) -> str:
    """The best checkpoint by validation top-1, or the last one when the
    run did not validate."""
    best = sorted(Path(work_dir).glob('best_*.pth'),
                  key=lambda p: p.stat().st_mtime)
    if best:
        return str(best[-1])
    return (Path(work_dir) / 'last_checkpoint').read_text().strip()


def demo_config(config: str, settings: DemoSettings):
    """``config`` with the demo's ``--cfg-options`` merged in."""
    from .config import prepare
    return prepare(config, cfg_options=settings.cfg_options)


def train_config(config: str, settings: DemoSettings, work_dir: Path) -> str:
    """Train ``config`` on the demo dataset; returns the checkpoint to test."""
    from .config import load_config
    from .train import apply_train_args, train
    amp = settings.use_bf16(demo_config(config, settings))
    print(f'precision: {"bfloat16 autocast (--amp)" if amp else "float32"}'
          ' (--precision)', flush=True)
    cfg = apply_train_args(load_config(config), config,
                           work_dir=str(work_dir), data_root=str(settings.data),
                           cfg_options=settings.cfg_options, amp=amp)
    metrics = train(cfg)
    if metrics:
        print('last validation: ' + ', '.join(
            f'{k}={v:.4f}' for k, v in sorted(metrics.items())))
    return best_checkpoint(work_dir)


def test_config(config: str, checkpoint: str, settings: DemoSettings,
                work_dir: Path, dump: Optional[str] = None,
                split: str = 'test', views: Optional[View] = None) -> Dict:
    """Test ``checkpoint`` on the demo dataset's held-out clips (``split``
    'val': the validation clips, through the test views; ``views``: (clips,
    crop) instead of the config's) and print top-1, top-5 and mean class
    accuracy."""
    from .config import load_config
    from .evaluate import apply_test_args, format_metrics, test
    cfg = apply_test_args(load_config(config), config, checkpoint,
                          work_dir=str(work_dir), dump=dump,
                          data_root=str(settings.data),
                          cfg_options=settings.cfg_options)
    if split == 'val':
        cfg.test_dataloader.dataset.ann_file = (
            cfg.val_dataloader.dataset.ann_file)
    if views is not None:
        set_test_views(cfg, *views)
    metrics = test(cfg)
    print(format_metrics(metrics))
    return metrics


def score_held_out(config: str, checkpoint: str, settings: DemoSettings,
                   work_dir: Path, dump: Optional[str] = None) -> Dict:
    """Choose the test views (clips x crop) on the validation clips, then
    score the test clips once, with the chosen views: the test figure stays
    a held-out figure. Returns the choice, every candidate's validation
    figures, and the chosen views' validation and test figures; ``dump``:
    the test scores, for late fusion (the chosen views' validation scores
    are in ``val_dump``)."""
    from .config import load_config
    configured = test_views(load_config(config))
    candidates = sorted(set(settings.view_candidates) | {configured},
                        key=views_per_video)

    def on_validation(view):
        clips, crop = view
        print(f'validation clips, {clips} clip(s) x {crop}:')
        return test_config(config, checkpoint, settings, val_dir(view),
                           dump=str(val_dir(view) / 'val_scores.npz'),
                           split='val', views=view)

    def val_dir(view):
        return work_dir / 'views' / f'{view[0]}x{view[1]}'

    chosen, table = choose_on_validation(on_validation, candidates)
    # how often each candidate answers as the config's views do, on the
    # same validation clips
    add_agreement(table, configured,
                  lambda view: str(val_dir(view) / 'val_scores.npz'))
    print(f'test views chosen on the validation clips: {chosen[0]} clip(s) '
          f'x {chosen[1]} (the config\'s: {configured[0]} x {configured[1]})')
    validation = next(row['validation'] for row in table
                      if (row['clips'], row['crop']) == chosen)
    print('test clips, scored once:')
    tested = test_config(config, checkpoint, settings, work_dir, dump=dump,
                         views=chosen)
    return dict(configured_views=list(configured), candidates=table,
                chosen_views=list(chosen), validation=validation,
                val_dump=str(val_dir(chosen) / 'val_scores.npz'), test=tested)


def split_sizes(settings: DemoSettings) -> Dict[str, int]:
    """Clips per split of the built dataset."""
    from .prep.lists import read_video_list
    return {split: len(read_video_list(
        split_lists_dir(settings.data) / f'dance19_{split}.txt'))
        for split in ('train', 'val', 'test')}


def read_fused(path: Path) -> Dict:
    """The fused figures of a fusion JSON (tools/fuse_scores.py --json)."""
    import json
    result = json.loads(Path(path).read_text())
    return dict(result['fused'], weights=result['weights'])


def write_demo_record(settings: DemoSettings, work_dir: Path, figures: Dict,
                      probe: Dict, config: str = DEMO_CONFIG) -> None:
    """The run's record (:mod:`dance_style.records`): ``settings.record``,
    else ``work_dir/record.json``. The figures of README and docs/ are
    rendered from the ones under docs/results/."""
    from .records import command_line, write_record
    figures['precision'] = 'bf16' if settings.use_bf16(
        demo_config(config, settings)) else 'fp32'
    figures['cfg_options'] = settings.cfg_options
    path = write_record(settings.record or work_dir / 'record.json', figures,
                        command=command_line(), timed=True, probe=probe)
    print(f'run record: {path}')


def predict_first_test_clip(config: str, checkpoint: str,
                            settings: DemoSettings) -> List[Dict]:
    """The top 3 styles of the first held-out clip, and its true style."""
    from .predict import format_predictions, load_recognizer, predict_videos
    from .prep.lists import read_video_list
    video, label = read_video_list(
        split_lists_dir(settings.data) / 'dance19_test.txt')[0]
    model = load_recognizer(demo_config(config, settings), checkpoint)
    results = predict_videos(model, [str(settings.data / video)], top_k=3)
    print(format_predictions(results))
    print(f'true style: {DANCE19_CLASSES[label]}')
    return results


def draw_curves(work_dir: Path) -> None:
    """Loss and accuracy per epoch: a PNG and a Markdown table."""
    from .curves import markdown_table, plot_curves, read_curves
    from .fileio import write_text_atomic
    runs = {'demo': read_curves(str(work_dir))}
    table = markdown_table(runs)
    print(table, end='')
    plot_curves(runs, str(work_dir / 'curves.png'))
    write_text_atomic(work_dir / 'curves.md', table)


# The demo's long video: 60 s, three styles of 20 s each, one dancer
TIMELINE_STYLES = (1, 14, 17)  # breakdancing, square dancing, tap dancing
TIMELINE_SECONDS = 20.0
# its frame is the Kinetics clips' (CLIP_SIZE), and so is that of the
# validation videos its settings are chosen on
TIMELINE_SIZE = CLIP_SIZE


def left_out_figures(leave_one_out: Dict) -> Dict:
    """The right styles and counts of a leave-one-out, for a record."""
    return {key: leave_one_out[key] for key in
            ('videos', 'videos_styles_right', 'videos_count_right')}


def draw_timeline(config: str, checkpoint: str, settings: DemoSettings,
                  work_dir: Path) -> Dict:
    """The timeline's segment settings chosen on generated validation
    videos with the demo model, then a 60 s synthetic video of three styles
    (never among them) and its timeline with those settings (segments
    printed, JSON/CSV/PNG in ``work_dir/timeline``). The model runs in the
    precision predict --timeline would choose. Returns the figures for the
    run's record."""
    from .infer_precision import choose_precision, use_precision
    from .predict import load_recognizer
    from .synthetic.long_video import write_long_video
    from .timeline import build_timeline, format_timeline, write_outputs
    from .timeline_tuning import SETTINGS, format_settings, tune
    model = load_recognizer(demo_config(config, settings), checkpoint)
    use_precision(model, choose_precision(model, settings.precision))
    tuning = tune(model, work_dir / 'timeline' / 'validation',
                  n_videos=settings.timeline_videos, size=TIMELINE_SIZE)
    chosen = tuning['chosen']
    n = settings.timeline_videos
    left_out = tuning['leave_one_out']
    print(f'segment settings chosen on {n} validation videos: '
          f'{format_settings(chosen)} (right styles in '
          f'{chosen["videos_styles_right"]} of {n}, right count in '
          f'{chosen["videos_count_right"]} of {n}; each video with the '
          f'setting chosen on the others: {left_out["videos_styles_right"]}'
          f' and {left_out["videos_count_right"]})')
    video = work_dir / 'timeline' / 'three_styles_60s.mp4'
    truth = write_long_video(video, TIMELINE_STYLES, TIMELINE_SECONDS,
                             size=TIMELINE_SIZE, fps=16.0, seed=2026)
    print('true: ' + ', '.join(
        f'{t["start"]:.0f}-{t["end"]:.0f} s {DANCE19_CLASSES[t["label"]]}'
        for t in truth))
    timeline = build_timeline(model, video, stride_seconds=1.0,
                              smooth=chosen['smooth'],
                              min_segment=chosen['min_segment'],
                              unsure_below=chosen['unsure_below'],
                              switch_penalty=chosen['switch_penalty'])
    print(format_timeline(timeline))
    paths = write_outputs(timeline, video.parent)
    print(f'timeline: {paths["png"]}')
    found = [seg['label'] for seg in timeline['segments']]
    return dict(
        validation_videos=n, video_size=list(TIMELINE_SIZE),
        settings={key: chosen[key] for key in SETTINGS},
        validation={key: chosen[key] for key in
                    ('videos_styles_right', 'videos_count_right',
                     'boundary_error_s', 'time_right')},
        # each video scored with the setting chosen on the others, for
        # this grid and the former one of minimum lengths
        leave_one_out=left_out_figures(tuning['leave_one_out']),
        former_grid=dict(
            settings={key: tuning['former_grid']['chosen'][key]
                      for key in SETTINGS},
            leave_one_out=left_out_figures(
                tuning['former_grid']['leave_one_out'])),
        true_styles=[DANCE19_CLASSES[t['label']] for t in truth],
        segments=[dict(style=seg['style'], start=seg['start'],
                       end=seg['end']) for seg in timeline['segments']],
        count_right=len(found) == len(truth),
        styles_right=found == [t['label'] for t in truth])


def run_main(settings: DemoSettings) -> None:
    """``make demo``: the I3D R50 NonLocal demo, downloads to curves."""
    from .records import cpu_probe
    from .register import register_all_modules
    probe = cpu_probe()  # before the run: the machine's speed, unloaded
    start = time.time()
    work_dir = settings.work_dir or Path('work_dirs/demo')
    stage = Stages(7)
    stage("synthetic Kinetics-700-2020 and Let's Dance downloads -> "
          f'{settings.raw}')
    write_downloads(settings)
    stage(f'build the dataset (data_prep/build_dataset.py) -> {settings.data}')
    build_dataset(settings, [DEMO_CONFIG])
    register_all_modules()
    stage(f'train I3D R50 NonLocal from scratch ({shown(DEMO_CONFIG)})')
    trained = time.time()
    checkpoint = train_config(DEMO_CONFIG, settings, work_dir)
    figures = dict(dataset=split_sizes(settings),
                   train_seconds=round(time.time() - trained),
                   checkpoint=Path(checkpoint).name)
    stage(f'choose the test views on the validation clips, then test '
          f'{checkpoint} once on the test clips')
    figures.update(score_held_out(DEMO_CONFIG, checkpoint, settings,
                                  work_dir))
    stage('predict the style of a held-out clip')
    predict_first_test_clip(DEMO_CONFIG, checkpoint, settings)
    stage('training curves (loss and accuracy per epoch)')
    draw_curves(work_dir)
    stage(f'style timeline (tools/predict.py --timeline): its settings '
          f'chosen on {settings.timeline_videos} validation videos, then a '
          '60 s video of three styles')
    figures['timeline'] = draw_timeline(DEMO_CONFIG, checkpoint, settings,
                                        work_dir)
    figures['seconds'] = round(time.time() - start)
    write_demo_record(settings, work_dir, figures, probe)
    print(f'== done in {time.time() - start:.0f} s; outputs in {work_dir} '
          '(confusion_matrix.png, per_class_accuracy.md, curves.png, '
          'timeline/, logs) '
          f'and {settings.data} (manifest.csv, class_counts.png)')


def run_two_stream(settings: DemoSettings) -> None:
    """``make two-stream``: RGB and optical-flow Inception I3D, fused."""
    from .fusion import fuse_and_save
    from .prep.flow_dataset import extract_dataset_flow, format_flow_summary
    from .records import cpu_probe
    from .register import register_all_modules
    probe = cpu_probe()  # before the run: the machine's speed, unloaded
    start = time.time()
    work_dir = settings.work_dir or Path('work_dirs/two_stream')
    stage = Stages(6)
    if (split_lists_dir(settings.data) / 'dance19_train.txt').is_file():
        stage(f'synthetic dataset: using {settings.data} (built before)')
    else:
        stage(f'synthetic downloads -> {settings.raw}, dataset -> '
              f'{settings.data}')
        write_downloads(settings)
        build_dataset(settings, list(STREAM_CONFIGS.values()))
    stage(f'optical flow ({settings.flow_method}) -> {settings.data}/flow')
    print(format_flow_summary(extract_dataset_flow(
        settings.data, ann_dir=split_lists_dir(settings.data),
        method=settings.flow_method, workers=2)))
    register_all_modules()
    checkpoints = {}
    for stream, config in STREAM_CONFIGS.items():
        stage(f'train the {stream} stream from scratch ({shown(config)})')
        checkpoints[stream] = train_config(config, settings,
                                           work_dir / stream)
    stage('each stream: choose its test views on the validation clips, '
          'then score the test clips once')
    dumps, val_dumps, figures = [], [], {}
    for stream, config in STREAM_CONFIGS.items():
        print(f'{stream} stream:')
        dumps.append(str(work_dir / f'{stream}.npz'))
        figures[stream] = score_held_out(config, checkpoints[stream],
                                         settings, work_dir / stream,
                                         dump=dumps[-1])
        val_dumps.append(figures[stream]['val_dump'])
    stage('fuse the two streams (tools/fuse_scores.py)')
    print("equal weights, the paper's; validation clips:")
    print(fuse_and_save(val_dumps,
                        json_path=str(work_dir / 'two_stream_val.json')))
    print('test clips:')
    print(fuse_and_save(dumps, out=str(work_dir / 'fused.npz'),
                        json_path=str(work_dir / 'two_stream.json')))
    figures['fused'] = dict(
        validation=read_fused(work_dir / 'two_stream_val.json'),
        test=read_fused(work_dir / 'two_stream.json'))
    # The alternative a user reaches for when one stream is weaker: weights
    # chosen on the validation clips (never the test clips). Shown, not
    # used: the paper fuses with equal weights, and weights fitted to a
    # hundred validation clips can overfit them (both fusions' figures:
    # docs/results/two_stream.json, fused and fused_val_weights).
    print('weights chosen on the validation clips (--weights-from), for '
          'comparison:')
    print(fuse_and_save(
        dumps, out=str(work_dir / 'fused_val_weights.npz'),
        json_path=str(work_dir / 'two_stream_val_weights.json'),
        weights_from=val_dumps))
    figures['fused_val_weights'] = read_fused(
        work_dir / 'two_stream_val_weights.json')
    figures['seconds'] = round(time.time() - start)
    write_demo_record(settings, work_dir, figures, probe,
                      config=STREAM_CONFIGS['rgb'])
    print(f'== done in {time.time() - start:.0f} s; outputs in {work_dir} '
          f'(rgb/, flow/, two_stream.json)')
