# Fine-tuning schedule: SGD with momentum, as mmaction2's I3D recipe, over a
# short run. Final configs set max_epochs and restate param_scheduler.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=10, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4),
    # mmaction2's I3D setting; guards the first steps of a fresh head
    clip_grad=dict(max_norm=40, norm_type=2))

# Cosine decay to 0 over the run, per iteration (smooth for short runs).
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=10,
        eta_min=0,
        by_epoch=True,
        begin=0,
        end=10,
        convert_to_iter_based=True)
]

# mmaction2's reference batch: 8 GPUs x 8 clips. --auto-scale-lr (or
# auto_scale_lr.enable=True) scales lr linearly to the actual batch.
auto_scale_lr = dict(enable=False, base_batch_size=64)
