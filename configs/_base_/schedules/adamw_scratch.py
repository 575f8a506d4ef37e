# Training from scratch (the demos on the synthetic data): AdamW with a
# one-epoch linear warm-up, then cosine decay to 0 over the rest of the run.
# SGD at the study's fine-tuning lr barely moves a fresh network in minutes,
# and SGD at 0.05 diverged (loss up to 32) on the first synthetic set; AdamW
# at 1e-3 learns. Final configs set train_cfg.max_epochs; the cosine ends
# there (mmengine's default `end`, T_max = end - begin).
_base_ = ['sgd_finetune.py']  # loops, gradient clipping, auto_scale_lr

optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    # AdamW's first steps on a fresh 3D network are large
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=0,
        by_epoch=True,
        begin=1,
        convert_to_iter_based=True)
]
