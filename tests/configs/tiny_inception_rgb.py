# The Two-Stream I3D demo's rgb stream (configs/demo/
# i3d_inception_rgb_synthetic.py) made cheaper for the test suite: same
# InceptionI3d, clips, dataset class and tools; a few short epochs on the
# 3-class subset of tests/conftest.py. Data paths come from --cfg-options.
_base_ = ['../../configs/demo/i3d_inception_rgb_synthetic.py']

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader)
val_dataloader = dict(**loader)
test_dataloader = dict(**loader)

train_cfg = dict(max_epochs=6)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=5,
        eta_min=0,
        by_epoch=True,
        begin=1,
        end=6,
        convert_to_iter_based=True)
]
# no progress bars in test logs
custom_hooks = [dict(type='EpochLossHook'), dict(type='TransferSummaryHook')]
