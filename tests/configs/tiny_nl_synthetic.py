# The demo config made cheaper for the test suite: same I3D R50 NonLocal
# model, clips (16x2 frames at 56 px), dataset class, metrics and tools; 10
# short epochs on the 3-class subset of tests/conftest.py (150 iterations,
# about a minute on 2 CPU cores). The data comes from --data-root
# (tests/conftest.py).
_base_ = ['../../configs/demo/i3d_nl_dance_synthetic.py']

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader)
val_dataloader = dict(**loader)
test_dataloader = dict(**loader)

train_cfg = dict(max_epochs=10)
# no progress bars in test logs
custom_hooks = [
    dict(type='EpochLossHook'),
    dict(type='RankConsistencyHook'),
    dict(type='KineticsHeadHook'),
    dict(type='TransferSummaryHook')
]
