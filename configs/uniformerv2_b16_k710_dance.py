# UniFormerV2-B/16 fine-tuned on dance19 from mmaction2's Kinetics-700
# checkpoint (CLIP ViT-B/16 -> Kinetics-710 -> Kinetics-700), with the
# authors' recipe for moving a Kinetics-trained UniFormerV2-B/16 to a new
# label set (their Moments-in-Time run; "schedule" below), not mmaction2's
# Kinetics-710 -> Kinetics-700 re-head, which keeps 700 of the 710 classes
# and so barely moves the weights (AdamW 2e-6 per 256 clips, 5 epochs: about
# 5e-7 a step at 8 GPUs x 8 clips; tests/test_transfer_rehearsal.py shows it
# leaves the loss where it was).
# Its head has a row for each of the 19 labels: the KineticsHeadHook takes
# them by class name, so `tools/test.py` with this config and the checkpoint
# alone is the zero-training baseline, and fine-tuning starts from them.
_base_ = [
    '_base_/models/uniformerv2_b16.py', '_base_/datasets/dance19_video.py',
    '_base_/schedules/adamw_finetune.py', '_base_/default_runtime.py'
]

# mmaction2 model zoo (metafile): 76.3 top-1 / 92.9 top-5 over the 700
# Kinetics-700 classes, 8 frames, 4 clips x 3 crops; 0.1 TFLOPs per view.
load_from = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/uniformerv2/'
    'uniformerv2-base-p16-res224_clip-kinetics710-pre_8xb32-u8_kinetics700-'
    'rgb/uniformerv2-base-p16-res224_clip-kinetics710-pre_8xb32-u8_'
    'kinetics700-rgb_20230313-69070837.pth')

# ---- pipelines: 8 frames spread uniformly over the whole clip -------------
__open = dict(type='DecordInit', io_backend='disk')
__clips = dict(type='UniformSample', clip_len=8)
__test_decode = [
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224))
]
__pack = [
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
train_pipeline = [
    __open, dict(__clips, num_clips=1), dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    # upstream adds PytorchVideoWrapper(op='RandAugment', magnitude=7,
    # num_layers=4) here: it needs pytorchvideo and torchvision, which this
    # stack does not install (docs/development.md, "The stack"), so it is
    # left out
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5), *__pack
]
val_pipeline = [
    __open, dict(__clips, num_clips=1, test_mode=True), *__test_decode,
    dict(type='CenterCrop', crop_size=224), *__pack
]
# 4 clips x 3 crops = 12 views per video, probabilities averaged
test_pipeline = [
    __open, dict(__clips, num_clips=4, test_mode=True), *__test_decode,
    dict(type='ThreeCrop', crop_size=224), *__pack
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# ---- schedule: the authors' recipe for a new label set -------------------
# OpenGVLab/UniFormerV2 at commit 722a43440fc5b9662cc2a8f23b86caa205e45ebc,
# exp/mit/mit_b16_f8x224/run.sh and config.yaml (Moments in Time, 339
# classes, from their K710 -> K400 UniFormerV2-B/16 with the head deleted):
#   BASE_LR 2e-5, TRAIN.BATCH_SIZE 256 per node x NUM_SHARDS 2 nodes = 512
#   clips a step (slowfast/datasets/loader.py gives each of a node's 8 GPUs
#   256 / 8), BASE_LR_SCALE_NUM_SHARDS False (the rate is for all 512);
#   MAX_EPOCH 24, WARMUP_EPOCHS 5 from WARMUP_START_LR 1e-6, then a cosine
#   to COSINE_END_LR 1e-6 (both 1/20 of 2e-5); AdamW, WEIGHT_DECAY 0.05, no
#   decay on 1-D parameters (ZERO_WD_1D_PARAM), CLIP_GRADIENT 20 (the
#   default of slowfast/config/defaults.py).
# mmaction2 1.2.0 ports it as uniformerv2-base-p16-res224_clip-kinetics710-
# kinetics-k400-pre_16xb32-u8_mitv1-rgb.py (lr 2e-5, base_batch_size 512, 24
# epochs, warm-up and floor at 1/20), as here. Their other new-label-set
# runs are alike: K710 from CLIP 1e-5 per 256, 55 epochs
# (exp/k710/k710_b16_f8x224); the Kinetics re-heads are the small ones
# (exp/k700/k700+k710_b16_f8x224: 2e-6 per 256, 5 epochs, 1 warm-up).
# On schedules/adamw_finetune.py (AdamW, betas (0.9, 0.999), weight decay
# 0.05, 5 warm-up epochs, then a cosine; rate scaled to the batch), what
# differs:
train_cfg = dict(max_epochs=24)
optim_wrapper = dict(
    optimizer=dict(lr=2e-5),
    # no weight decay on norms and biases (the authors': every 1-D tensor)
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=20, norm_type=2))
# 5 warm-up epochs from 1/20 of the rate, then a cosine down to 1/20 of it
# by the end of the run (mmengine ends it at train_cfg.max_epochs). Ratios,
# not the authors' absolute 1e-6: they follow the rate when it is scaled to
# the batch (below), as 1e-6 is 1/20 of 2e-5 at the authors' 512.
__warmup, __cosine = _base_.param_scheduler
param_scheduler = [
    dict(__warmup, start_factor=1 / 20),
    dict(__cosine, eta_min_ratio=1 / 20)
]
# lr 2e-5 is for 512 clips a step; it scales linearly with the real batch
# (GPUs x train_dataloader.batch_size), as mmaction2's port does: at the
# documented 8 GPUs x 8 clips (configs/metafile.yml) that is 2.5e-6 a step,
# 5x the re-head recipe's 5e-7, for 24 epochs instead of 5.
auto_scale_lr = dict(base_batch_size=512)
