# The Two-Stream I3D demo's flow stream (configs/demo/
# i3d_inception_flow_synthetic.py) made cheaper for the test suite: same
# InceptionI3d, clips, dataset class and tools; a few short epochs on the
# 3-class subset of tests/conftest.py. The data comes from --data-root.
_base_ = ['../../configs/demo/i3d_inception_flow_synthetic.py']

# In-process loading: worker start-up would cost more than it saves here.
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader)
val_dataloader = dict(**loader)
test_dataloader = dict(**loader)

train_cfg = dict(max_epochs=4)
# no progress bars in test logs
custom_hooks = [dict(type='EpochLossHook'), dict(type='KineticsHeadHook'),
                dict(type='TransferSummaryHook'),
                dict(type='RandomStateHook')]
