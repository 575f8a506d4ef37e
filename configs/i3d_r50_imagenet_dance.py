# The study's "baseline I3D": ResNet-50 inflated from ImageNet (a 2D
# torchvision ResNet-50 checkpoint, each k x k kernel repeated over time and
# divided by its length, as Carreira and Zisserman inflate), trained on
# dance19 without Kinetics pre-training.
# Get the 2D weights once (torchvision's file, plain tensors):
#   mkdir -p data/checkpoints && wget -P data/checkpoints \
#       https://download.pytorch.org/models/resnet50-11ad3fa6.pth
# or pass another path: --cfg-options model.backbone.pretrained=PATH
_base_ = ['i3d_r50_dance.py']

load_from = None  # no Kinetics checkpoint: the backbone is inflated instead
model = dict(
    backbone=dict(
        pretrained='data/checkpoints/resnet50-11ad3fa6.pth',
        pretrained2d=True))
train_cfg = dict(max_epochs=10)
