# Runtime shared by every dance config: registries, hooks, logging.
default_scope = 'mmaction'
# dance_style.register applies the install fixes of dance_style.compat (the
# missing drn module, the weights_only allow-list, no torchvision, ColorJitter
# under numpy 2) and registers the project's datasets, transforms, metrics,
# hooks and backbones into mmaction's registries.
custom_imports = dict(imports=['dance_style.register'],
                      allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # a checkpoint per epoch (for --resume), the last 3 kept, plus the best
    # by validation top-1
    checkpoint=dict(
        type='CheckpointHook',
        interval=1,
        max_keep_ckpts=3,
        save_best='acc/top1',
        rule='greater'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))
# a progress bar; one mean training loss per epoch for tools/plot_curves.py
# (the LoggerHook's loss is a moving window); in distributed runs, a check
# that all ranks end with the same weights; the random generators' states in
# every checkpoint, so that --resume continues as the uninterrupted run would
custom_hooks = [
    # the run ends at the first non-finite loss or gradient, before the
    # optimizer writes it into the weights (dance_style.nonfinite)
    dict(type='NonFiniteHook'),
    dict(type='ProgressBarHook'),
    dict(type='EpochLossHook'),
    dict(type='RankConsistencyHook'),
    dict(type='RandomStateHook'),
    # a Kinetics checkpoint's head (400, 700 or 710 rows) becomes our
    # 19-class head row by row, by class name: the warm start of fine-tuning
    # and the zero-training baseline of tools/test.py
    dict(type='KineticsHeadHook'),
    # one line: what load_from gave (loaded / sliced head / missing)
    dict(type='TransferSummaryHook')
]

env_cfg = dict(
    cudnn_benchmark=False,  # mmaction2's default
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
# scalars.json per run, which tools/plot_curves.py draws as PNG curves;
# where the tensorboard package is installed (the "tensorboard" extra),
# dance_style.train adds TensorboardVisBackend when it builds the Runner:
# `tensorboard --logdir work_dirs`
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'

load_from = None
resume = False
