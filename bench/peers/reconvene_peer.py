#!/usr/bin/python3
"""PyTorch peer of `npm run bench:reconvene`: the same Reconvene steps on the same architecture,
timed from the initialised model to the exported ONNX bytes.

  /usr/bin/python3 bench/peers/reconvene_peer.py MODEL SCORER SPARSITY [--batch N] [--rounds R]

MODEL: a zoo spec the peer knows (vgg19, vgg19,width=W, resnet50); SCORER: snip or synflow.
Steps, as Sculpt's reconvenePrune does them:
  1. score: SNIP |w * dL/dw| (cross-entropy on a random labelled batch, BN in eval mode), or
     SynFlow as its reference code runs it (float64, |state dict|, ones input, R = sum(output),
     100 rounds with the exponential schedule, masks applied between rounds);
  2. global mask: keep scores above the ceil(p*n)-th smallest (torch.kthvalue);
  3. PSE: per-layer density and emptied filters/inputs, the density rule (insensitive when the
     density is at most the overall density);
  4. RLR: each channel group (a conv's output; for ResNet-50 a stage's residual stream is one group
     of its conv3s and downsample) whose layers are all insensitive keeps max(4, ceil(d * width))
     channels chosen by summed scores; modules are rebuilt narrower, narrowed layers re-initialised
     (Kaiming normal), masks kept on the others and sliced;
  5. export with torch.onnx.export (opset 13) to bytes.
Prints one JSON line: totalMs, steps, peakMb (ru_maxrss of this process), params before/after, bytes.
"""
import io, json, math, os, resource, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
import torchvision.models as tvm

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures'))
from make_fixtures import vgg  # noqa: E402

torch.set_num_threads(os.cpu_count() or 1)
CFG19 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M']


class VGG(nn.Module):
    """The zoo's CIFAR VGG: features.N conv-BN-ReLU / MaxPool, one Linear classifier."""
    def __init__(s, cfg, classes=10):
        super().__init__()
        s.features = vgg(cfg)[:-2]
        s.classifier = nn.Linear([v for v in cfg if v != 'M'][-1], classes)
    def forward(s, x):
        return s.classifier(torch.flatten(s.features(x), 1))


def build(spec):
    if spec.startswith('vgg19'):
        width = float(spec.split('width=')[1]) if 'width=' in spec else 1.0
        cfg = [v if v == 'M' else max(1, round(v * width)) for v in CFG19]
        return VGG(cfg), (3, 32, 32), 10
    if spec == 'resnet50':
        return tvm.resnet50(), (3, 224, 224), 1000
    raise SystemExit(f'unknown model {spec}')


def init(model):
    torch.manual_seed(0)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity='relu')
            if m.bias is not None: nn.init.zeros_(m.bias)


def prunable(model):
    return [(n, m) for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


# ---------------------------------------------------------------- scorers
def snip(model, x, y):
    model.eval(); model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return {n: (m.weight.grad * m.weight).abs().detach() for n, m in prunable(model)}


def global_masks(scores, sparsity):
    flat = torch.cat([v.flatten() for v in scores.values()])
    k = int(math.ceil(sparsity * flat.numel()))
    thr = torch.kthvalue(flat, k).values if k > 0 else flat.min() - 1
    return {n: (v > thr).float() for n, v in scores.items()}


def synflow(model, shape, sparsity, rounds):
    m = model.double().eval()
    signs = {}
    with torch.no_grad():
        for n, p in m.state_dict().items():
            if p.dtype.is_floating_point: signs[n] = torch.sign(p); p.abs_()
    layers = prunable(m)
    base = {n: mod.weight.detach().clone() for n, mod in layers}
    masks = None
    ones = torch.ones((1,) + shape, dtype=torch.float64)
    for r in range(1, rounds + 1):
        with torch.no_grad():
            for n, mod in layers: mod.weight.copy_(base[n] * masks[n] if masks else base[n])
        m.zero_grad()
        m(ones).sum().backward()
        scores = {n: (mod.weight.grad * mod.weight).abs().detach() for n, mod in layers}
        if r < rounds: masks = global_masks(scores, 1 - (1 - sparsity) ** (r / rounds))
    with torch.no_grad():
        for n, mod in layers: mod.weight.copy_(base[n])
        for n, p in m.state_dict().items():
            if n in signs: p.mul_(signs[n])
    model.float()
    return {n: s.float() for n, s in scores.items()}


# ---------------------------------------------------------------- Reconvene
def groups_of(model, spec):
    """Channel groups: (producers [(conv name, bn name)], consumers [module names]); ResNet-50's
    residual streams couple each stage's conv3s and its downsample."""
    mods = dict(model.named_modules())
    if spec.startswith('vgg19'):
        convs = [(f'features.{i}', f'features.{i + 1}') for i, m in enumerate(model.features) if isinstance(m, nn.Conv2d)]
        out = []
        for j, (c, b) in enumerate(convs):
            out.append(([(c, b)], [convs[j + 1][0]] if j + 1 < len(convs) else ['classifier']))
        return out
    out = [([('conv1', 'bn1')], ['layer1.0.conv1', 'layer1.0.downsample.0'])]
    for li in range(1, 5):
        blocks = [n for n in mods if n.startswith(f'layer{li}.') and n.count('.') == 1]
        for b in blocks:
            out.append(([(f'{b}.conv1', f'{b}.bn1')], [f'{b}.conv2']))
            out.append(([(f'{b}.conv2', f'{b}.bn2')], [f'{b}.conv3']))
        stream = [(f'{b}.conv3', f'{b}.bn3') for b in blocks] + [(f'layer{li}.0.downsample.0', f'layer{li}.0.downsample.1')]
        readers = [f'{b}.conv1' for b in blocks[1:]]
        readers += [f'layer{li + 1}.0.conv1', f'layer{li + 1}.0.downsample.0'] if li < 4 else ['fc']
        out.append((stream, readers))
    return out


def reconvene(model, spec, scores, masks, min_channels=4):
    mods = dict(model.named_modules())
    # PSE: density and emptied shares per layer; insensitive when density <= overall density.
    total = sum(m.numel() for m in masks.values()); kept = sum(m.sum().item() for m in masks.values())
    overall = kept / total
    sens = {}
    for n, m in masks.items():
        dims = tuple(range(1, m.dim()))
        alive_out = m.sum(dim=dims) > 0
        alive_in = m.sum(dim=(0,) + tuple(range(2, m.dim()))) > 0
        density = m.mean().item()
        sens[n] = {'density': density, 'emptied_filters': 1 - alive_out.float().mean().item(),
                   'emptied_inputs': 1 - alive_in.float().mean().item(), 'sensitive': density > overall}
    # RLR
    rectified = set()
    for producers, consumers in groups_of(model, spec):
        if any(sens[c]['sensitive'] for c, _ in producers): continue
        width = mods[producers[0][0]].out_channels
        d = max(sens[c]['density'] for c, _ in producers)
        keep_n = min(width, max(min_channels, math.ceil(d * width)))
        summed = sum(scores[c].flatten(1).sum(1).double() for c, _ in producers)
        keep = torch.sort(torch.argsort(summed, descending=True, stable=True)[:keep_n]).values
        for c, b in producers:
            conv, bn = mods[c], mods[b]
            conv.weight = nn.Parameter(conv.weight.data[keep].clone()); conv.out_channels = keep_n
            if conv.bias is not None: conv.bias = nn.Parameter(conv.bias.data[keep].clone())
            for attr in ('weight', 'bias'): setattr(bn, attr, nn.Parameter(getattr(bn, attr).data[keep].clone()))
            bn.running_mean = bn.running_mean[keep].clone(); bn.running_var = bn.running_var[keep].clone(); bn.num_features = keep_n
            masks[c] = masks[c][keep]; rectified.add(c)
        for r in consumers:
            mod = mods[r]
            mod.weight = nn.Parameter(mod.weight.data[:, keep].clone())
            if isinstance(mod, nn.Conv2d): mod.in_channels = keep_n
            else: mod.in_features = keep_n
            masks[r] = masks[r][:, keep]
    torch.manual_seed(0)
    for n in prunable(model):
        name, mod = n
        if name in rectified: nn.init.kaiming_normal_(mod.weight, nonlinearity='relu'); masks.pop(name, None)
        else:
            with torch.no_grad(): mod.weight.mul_(masks[name])
    return masks


def main():
    spec, scorer, sparsity = sys.argv[1], sys.argv[2], float(sys.argv[3])
    batch = int(sys.argv[sys.argv.index('--batch') + 1]) if '--batch' in sys.argv else 10
    rounds = int(sys.argv[sys.argv.index('--rounds') + 1]) if '--rounds' in sys.argv else 100
    model, shape, classes = build(spec)
    init(model)
    torch.manual_seed(1)
    x = torch.randn((batch,) + shape)
    y = torch.arange(batch) % classes
    params_before = sum(p.numel() for p in model.parameters())
    steps = {}
    t0 = t = time.perf_counter()
    scores = snip(model, x, y) if scorer == 'snip' else synflow(model, shape, sparsity, rounds)
    steps['score'] = (time.perf_counter() - t) * 1000; t = time.perf_counter()
    masks = global_masks(scores, sparsity)
    steps['mask'] = (time.perf_counter() - t) * 1000; t = time.perf_counter()
    reconvene(model, spec, scores, masks)
    steps['pse+rlr'] = (time.perf_counter() - t) * 1000; t = time.perf_counter()
    buf = io.BytesIO()
    model.eval()
    torch.onnx.export(model, torch.ones((1,) + shape), buf, opset_version=13, input_names=['input'], output_names=['output'])
    steps['export'] = (time.perf_counter() - t) * 1000
    total = (time.perf_counter() - t0) * 1000
    print(json.dumps({'totalMs': total, 'steps': steps, 'peakMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      'paramsBefore': params_before, 'paramsAfter': sum(p.numel() for p in model.parameters()),
                      'bytes': len(buf.getvalue())}))


if __name__ == '__main__':
    main()
