#!/usr/bin/python3
"""PyTorch peer of bench/train.ts: milliseconds per training step (forward, cross-entropy,
backward, SGD momentum 0.9 + weight decay) of CIFAR ResNet-20 or VGG-11-BN at batch 64, 32x32.

usage: /usr/bin/python3 torch_train.py MODEL THREADS STEPS [WARMUP]
prints one JSON line: {"model", "threads", "torch", "ms": [per-step times], "loss": [first, last]}
With STEPS = serve, it warms up, prints "ready", then for each line "N" on stdin runs N steps
and prints their times as one JSON list, so a benchmark can interleave it step by step.
"""
import json, sys, time
import torch, torch.nn as nn, torch.nn.functional as F


class Block(nn.Module):
    def __init__(s, cin, cout, stride):
        super().__init__()
        s.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); s.bn1 = nn.BatchNorm2d(cout)
        s.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(cout)
        s.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            s.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(s, x):
        y = F.relu(s.bn1(s.conv1(x)))
        return F.relu(s.bn2(s.conv2(y)) + s.shortcut(x))


class ResNet20(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for i, w in enumerate([16, 32, 64]):
            for j in range(3):
                layers.append(Block(cin, w, 2 if i > 0 and j == 0 else 1)); cin = w
        s.layers = nn.Sequential(*layers); s.fc = nn.Linear(64, 10)
    def forward(s, x):
        x = s.layers(F.relu(s.bn(s.conv(x))))
        return s.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def vgg11():
    layers, cin = [], 3
    for v in [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']:
        if v == 'M': layers.append(nn.MaxPool2d(2, 2))
        else: layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]; cin = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512, 10))


def main():
    name, threads = sys.argv[1], int(sys.argv[2])
    steps = 0 if sys.argv[3] == 'serve' else int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = ResNet20() if name == 'resnet20' else vgg11()
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)): nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(64, 3, 32, 32); y = torch.randint(0, 10, (64,))
    losses = []

    def step():
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        return (time.perf_counter() - t) * 1000

    if sys.argv[3] == 'serve':
        for _ in range(warmup): step()
        print('ready', flush=True)
        for line in sys.stdin:
            print(json.dumps([step() for _ in range(int(line))]), flush=True)
        return
    times = [step() for _ in range(warmup + steps)][warmup:]
    print(json.dumps({'model': name, 'threads': threads, 'torch': torch.__version__, 'ms': times, 'loss': [losses[0], losses[-1]]}))


if __name__ == '__main__':
    main()
