# Fine-tuning schedule: SGD with momentum, as mmaction2's I3D recipe, over a
# short run. Final configs set train_cfg.max_epochs; the learning-rate
# schedule follows it (below), as does --cfg-options train_cfg.max_epochs=N.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=10, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    # mmaction2's I3D setting; guards the first steps of a fresh head
    clip_grad=dict(max_norm=40, norm_type=2))

# Cosine decay to 0 over the run, per iteration (smooth for short runs).
# No `end` and no `T_max`: mmengine's Runner ends a scheduler at
# train_cfg.max_epochs when `end` is unset, and CosineAnnealingLR's T_max
# defaults to end - begin, so the curve always spans the whole run.
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        eta_min=0,
        by_epoch=True,
        begin=0,
        convert_to_iter_based=True)
]

# mmaction2's reference batch: 8 GPUs x 8 clips. --auto-scale-lr (or
# auto_scale_lr.enable=True) scales lr linearly to the actual batch.
auto_scale_lr = dict(enable=False, base_batch_size=64)
