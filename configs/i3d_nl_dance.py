# I3D ResNet-50 NonLocal (dot product) fine-tuned on dance19 from its
# Kinetics-400 checkpoint with the study's Optuna-best hyper-parameters:
# SGD, lr 7.87e-4, dropout 0.2966, 10 epochs (top-1 56.90, top-5 86.31).
_base_ = [
    '_base_/models/i3d_r50_nl.py', '_base_/datasets/dance19_video.py',
    '_base_/schedules/sgd_finetune.py', '_base_/default_runtime.py'
]

# mmaction2 model zoo, Kinetics-400 top-1 74.80 (10 clips x 3 crops). The
# 19-class head starts from the 400-class one's rows of our labels, by name
# (KineticsHeadHook: 15 of 19; cumbia, moon walking, mosh pit dancing and
# square dancing start fresh).
load_from = ('https://download.openmmlab.com/mmaction/v1.0/recognition/i3d/'
             'i3d_imagenet-pretrained-r50-nl-dot-product_8xb8-32x2x1-100e_'
             'kinetics400-rgb/i3d_imagenet-pretrained-r50-nl-dot-product_'
             '8xb8-32x2x1-100e_kinetics400-rgb_20220812-8e1f2148.pth')

model = dict(cls_head=dict(dropout_ratio=0.2966))  # Optuna best (study)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=7.87e-4))  # Optuna best
train_cfg = dict(max_epochs=10)
