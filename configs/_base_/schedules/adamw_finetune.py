# Fine-tuning a pre-trained video transformer, as the UniFormerV2 and
# VideoMAE V2 authors do: AdamW, a linear warm-up, then a cosine to a floor,
# per iteration, with the rate scaled to the real batch. The values are the
# VideoMAE V2 authors' (OpenGVLab/VideoMAEv2 at commit 29eab1e8a588d1b3ec0c
# dec7b03a86cca491b74b, the defaults of run_class_finetuning.py, which
# videomaev2_vit_b_dance.py follows); a config whose recipe differs sets
# what differs (uniformerv2_b16_k710_dance.py).
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), weight_decay=0.05))
# The authors' schedule (run_class_finetuning.py, utils.cosine_scheduler) is
# one curve, scaled per parameter group by that group's layer-decay factor
# (engine_for_finetuning.py: lr = schedule[step] * lr_scale), and scaled
# with it by total batch / 256 (lr, min_lr): every group's warm-up start and
# floor are fixed fractions of that group's own rate. mmengine's schedulers
# act per group too, so both are ratios here. An absolute eta_min=1e-6 was
# wrong twice: it did not follow auto_scale_lr, and the lowest layers (patch
# embedding at 0.75^13 = 0.024 of the rate: 7.4e-7 at a batch of 8) started
# below it, so the "decay" raised their rate. The cosine ends at
# train_cfg.max_epochs (mmengine's default `end`).
param_scheduler = [
    dict(
        # 5 warm-up epochs; the authors' warm-up starts at 0
        # (cosine_scheduler is called without start_warmup_value;
        # --warmup_lr is unused); mmengine's LinearLR needs a start above 0:
        # 1e-3 of the rate
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True),
    dict(
        # the authors' --min_lr 1e-6 for --lr 1e-3
        type='CosineAnnealingLR',
        eta_min_ratio=1e-6 / 1e-3,
        by_epoch=True,
        begin=5,
        convert_to_iter_based=True)
]
# lr is for 256 clips a step; the authors scale it by total batch / 256
# (run_class_finetuning.py); so does mmengine here, and the schedule's
# ratios follow
auto_scale_lr = dict(enable=True, base_batch_size=256)
