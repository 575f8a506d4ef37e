# I3D ResNet-50 fine-tuned on dance19 from its Kinetics-400 checkpoint: the
# study's first transfer row (lr 1e-2, 3 epochs: top-1 51.61, top-5 82.80).
_base_ = [
    '_base_/models/i3d_r50.py', '_base_/datasets/dance19_video.py',
    '_base_/schedules/sgd_finetune.py', '_base_/default_runtime.py'
]

# mmaction2 model zoo, Kinetics-400 top-1 73.47 (10 clips x 3 crops). The
# 19-class head starts from the 400-class one's rows of our labels, by name
# (KineticsHeadHook: 15 of 19, the other 4 start fresh).
load_from = ('https://download.openmmlab.com/mmaction/v1.0/recognition/i3d/'
             'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb/'
             'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb_'
             '20220812-e213c223.pth')

train_cfg = dict(max_epochs=3)  # the study's R50 run
optim_wrapper = dict(optimizer=dict(lr=1e-2))  # the study's R50 lr
