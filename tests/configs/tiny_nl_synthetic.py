# The demo config made cheaper for the test suite: same I3D R50 NonLocal
# model, clips (16x2 frames at 56 px), dataset class, metrics and tools; 10
# short epochs on the 3-class subset of tests/conftest.py (150 iterations,
# about a minute on 2 CPU cores). Data paths are passed with --cfg-options
# by tests/conftest.py.
_base_ = ['../../configs/demo/i3d_nl_dance_synthetic.py']

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader)
val_dataloader = dict(**loader)
test_dataloader = dict(**loader)

train_cfg = dict(max_epochs=10)
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
        T_max=9,
        eta_min=0,
        by_epoch=True,
        begin=1,
        end=10,
        convert_to_iter_based=True)
]
# no progress bars in test logs
custom_hooks = [
    dict(type='EpochLossHook'),
    dict(type='RankConsistencyHook'),
    dict(type='TransferSummaryHook')
]
