# The tiny test config made cheaper again for sweeps, where one test trains
# many times: the small clips of _base_/small_clips.py (8 frames every 4th,
# the same 2 s of motion, at 48 px), and a plain cosine schedule over the 3
# epochs a trial trains. Still the real I3D R50 NonLocal model, dataset,
# metric and train function.
_base_ = ['tiny_nl_synthetic.py']

train_pipeline = _base_.small_clips.train
val_pipeline = _base_.small_clips.val
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_pipeline = val_pipeline  # what the tools read as the test views

train_cfg = dict(max_epochs=3)
# no warm-up epoch in so short a run: the schedule's cosine from the first
# step to the end of the run (mmengine ends it at max_epochs)
param_scheduler = [dict(_base_.param_scheduler[-1], begin=0)]
default_hooks = dict(logger=dict(interval=50))
