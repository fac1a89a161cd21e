#!/usr/bin/python3
"""Parameter and MAC counts of the zoo's architectures as PyTorch builds them: the reference
numbers test/zoo.test.ts asserts, and a hash of the
sorted parameter names and shapes (the zoo names initialisers like PyTorch parameters). Models are torchvision's (VGG-BN, ResNet-18/34/50,
MobileNetV2) and make_fixtures.py's (CIFAR ResNet, CIFAR VGG, U-Net); MACs use the fixtures'
counting hook. Usage: /usr/bin/python3 bench/peers/zoo_reference.py
"""
import hashlib, json, os, sys
import torch, torch.nn as nn
import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures'))
from make_fixtures import CifarResNet, UNet, vgg, macs  # noqa: E402

CFG = {
    11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
    19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
}


def scaled(cfg, w):
    return [v if v == 'M' else max(1, round(v * w)) for v in cfg]


class VGG(nn.Module):
    """make_fixtures.py's vgg() with torchvision's names: features.N and classifier (CIFAR: one
    Linear; imagenet: Linear-ReLU-Dropout x2 + Linear, without torchvision's AdaptiveAvgPool, so
    the first Linear takes C*(H/32)^2 features; equal to torchvision's at 224x224)."""
    def __init__(s, cfg, classes=10, hidden=None, spatial=1):
        super().__init__()
        s.features = vgg(cfg)[:-2]
        c = [v for v in cfg if v != 'M'][-1] * spatial * spatial
        s.classifier = nn.Linear(c, classes) if hidden is None else nn.Sequential(
            nn.Linear(c, hidden), nn.ReLU(), nn.Dropout(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(),
            nn.Linear(hidden, classes))
    def forward(s, x):
        return s.classifier(torch.flatten(s.features(x), 1))


def signature(model):
    # sha256 over the sorted 'name:dims' lines of the trainable parameters: the naming contract.
    lines = sorted(f"{n}:{'x'.join(map(str, p.shape))}" for n, p in model.named_parameters())
    return hashlib.sha256('\n'.join(lines).encode()).hexdigest()[:16]


def count(model, shape):
    return {'params': sum(p.numel() for p in model.parameters()), 'macs': macs(model, (1,) + shape),
            'names': signature(model)}


cases = {
    'resnet20': (CifarResNet(3), (3, 32, 32)),
    'resnet32': (CifarResNet(5), (3, 32, 32)),
    'resnet56': (CifarResNet(9), (3, 32, 32)),
    'resnet110': (CifarResNet(18), (3, 32, 32)),
    'resnet20,width=2,classes=100': (CifarResNet(3, 100, 32), (3, 32, 32)),
    'vgg11': (VGG(CFG[11]), (3, 32, 32)),
    'vgg13': (VGG(CFG[13]), (3, 32, 32)),
    'vgg13,width=0.5': (VGG(scaled(CFG[13], 0.5)), (3, 32, 32)),
    'vgg16': (VGG(CFG[16]), (3, 32, 32)),
    'vgg19': (VGG(CFG[19]), (3, 32, 32)),
    'vgg19,width=0.5,classes=100': (VGG(scaled(CFG[19], 0.5), 100), (3, 32, 32)),
    'vgg11,width=0.25': (VGG(scaled(CFG[11], 0.25)), (3, 32, 32)),
    'vgg16,classifier=imagenet (224)': (tvm.vgg16_bn(), (3, 224, 224)),
    'vgg16,classifier=imagenet,width=0.25,classes=10,input=3x64x64': (VGG(scaled(CFG[16], 0.25), 10, 1024, 2), (3, 64, 64)),
    'resnet18': (tvm.resnet18(), (3, 224, 224)),
    'resnet34': (tvm.resnet34(), (3, 224, 224)),
    'resnet50': (tvm.resnet50(), (3, 224, 224)),
    'mobilenetv2': (tvm.mobilenet_v2(), (3, 224, 224)),
    'mobilenetv2,width=0.5,classes=10 (64)': (tvm.mobilenet_v2(width_mult=0.5, num_classes=10), (3, 64, 64)),
    'mobilenetv2,width=1.4': (tvm.mobilenet_v2(width_mult=1.4), (3, 224, 224)),
    'unet (64, transpose, 1->2)': (UNet(1, 2, 64, 4, 'transpose'), (1, 64, 64)),
    'unet,base=8,depth=4,in=1,out=4': (UNet(1, 4, 8, 4, 'transpose'), (1, 64, 64)),
    'unet,base=8,depth=3,up=resize,in=3,out=5': (UNet(3, 5, 8, 3, 'resize'), (3, 32, 32)),
}

if __name__ == '__main__':
    out = {}
    for name, (model, shape) in cases.items():
        out[name] = {'input': 'x'.join(map(str, shape)), **count(model, shape)}
        print(json.dumps({name: out[name]}), flush=True)
