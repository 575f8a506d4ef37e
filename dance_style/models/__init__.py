"""Backbones mmaction2 lacks or initialises differently: the Inception-v1
I3D of Two-Stream I3D, and ResNet3d with identity NonLocal blocks."""
from .inception_i3d import InceptionI3d
from .resnet3d import ResNet3dIdentityNL

__all__ = ['InceptionI3d', 'ResNet3dIdentityNL']
