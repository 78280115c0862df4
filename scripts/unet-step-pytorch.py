#!/usr/bin/env python3
"""The U-Net training step of `detseg bench unet-step`, in PyTorch on the CPU: a reference for speed.

The same network as detseg's benchmark (src/benchmarks/engine-speed.ts, src/models/unet): depth 3,
blocks 16-32-64-128 of two 3x3 'same' convolutions with bias and ReLU (no batch norm), 2x2 max-pools,
2x2 stride-2 transposed convolutions, skip connections concatenated [skip, up], a 1x1 logits
convolution (481,745 parameters); a batch of 8 images 1x128x128 with random 0/1 targets, sigmoid
cross-entropy (mean), Adam at 1e-3. Prints the median step time and where it goes:

- per-op self CPU time from torch.profiler over the profiled steps, grouped as detseg's kernel
  profile groups its kernels (conv forward, conv input-gradient, conv filter-gradient, ReLU, pooling,
  transposed convolution, concatenation, loss, optimizer);
- PyTorch runs a convolution's input and filter gradients in one op (convolution_backward), so the
  split between the two is measured apart: each convolution of the net, its backward with only the
  input gradient and with only the filter (and bias) gradient, medians of repeated calls; the
  profiler's convolution_backward time is shared out in those proportions.

Reference tool only (detseg does not depend on PyTorch):
  python3 -m venv /tmp/venv-torch && /tmp/venv-torch/bin/pip install torch
  /tmp/venv-torch/bin/python scripts/unet-step-pytorch.py --threads 1
  /tmp/venv-torch/bin/python scripts/unet-step-pytorch.py --threads 2 --json
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)

    def forward(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))))


class UNet(nn.Module):
    def __init__(self, depth=3, width=16, cin=1, cout=1):
        super().__init__()
        self.enc = nn.ModuleList()
        c = cin
        for level in range(depth):
            self.enc.append(Block(c, width << level))
            c = width << level
        self.bottleneck = Block(c, width << depth)
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        c = width << depth
        for level in reversed(range(depth)):
            w = width << level
            self.up.append(nn.ConvTranspose2d(c, w, 2, stride=2))
            self.dec.append(Block(2 * w, w))
            c = w
        self.logits = nn.Conv2d(c, cout, 1)

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for up, block, skip in zip(self.up, self.dec, reversed(skips)):
            x = block(torch.cat([skip, up(x)], dim=1))
        return self.logits(x)


# aten ops → detseg's kernel groups (self CPU time). Anything else is 'other'.
GROUPS = [
    ('conv forward', ('aten::mkldnn_convolution', 'aten::_slow_conv2d_forward', 'aten::thnn_conv2d')),
    ('transposed conv forward', ('aten::slow_conv_transpose2d', 'aten::_convolution_transposed')),
    ('conv backward (input + filter)', ('aten::convolution_backward', 'aten::_slow_conv2d_backward', 'aten::slow_conv_transpose2d_backward', 'aten::mkldnn_convolution_backward')),
    ('ReLU (+ gradient)', ('aten::relu', 'aten::relu_', 'aten::clamp_min', 'aten::threshold_backward')),
    ('max pool (+ gradient)', ('aten::max_pool2d_with_indices', 'aten::max_pool2d_with_indices_backward')),
    ('concat (+ gradient slices)', ('aten::cat', 'aten::narrow', 'aten::slice', 'aten::slice_backward')),
    ('loss', ('aten::binary_cross_entropy_with_logits', 'aten::binary_cross_entropy_with_logits_backward', 'aten::sigmoid', 'aten::log_sigmoid_forward', 'aten::log_sigmoid_backward')),
]
OPTIMIZER_TAG = 'optimizer step'


def timed_step(model, opt, x, y):
    opt.zero_grad(set_to_none=True)
    loss = F.binary_cross_entropy_with_logits(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def conv_grad_split(model, x, reps):
    """ms of input-gradient and of filter(+bias)-gradient per step, summed over the net's convolutions (each timed alone)."""
    shapes = []
    hooks = []

    def record(module, inputs, output):
        shapes.append((module, inputs[0].detach(), output.detach()))

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            hooks.append(m.register_forward_hook(record))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    totals = {'input': 0.0, 'filter': 0.0, 'transposed input': 0.0, 'transposed filter': 0.0}
    for module, inp, out in shapes:
        transposed = isinstance(module, nn.ConvTranspose2d)
        grad = torch.randn_like(out)
        # The first convolution's input needs no gradient in the step; it is skipped there too.
        needs_input = inp.shape[1] != 1
        for key, mask in (('input', [True, False, False]), ('filter', [False, True, True])):
            if key == 'input' and not needs_input:
                continue
            def call():
                torch.ops.aten.convolution_backward(grad, inp, module.weight, [module.bias.shape[0]], list(module.stride), list(module.padding), list(module.dilation), transposed, list(module.output_padding) if transposed else [0, 0], module.groups, mask)
            for _ in range(2):
                call()
            times = []
            for _ in range(reps):
                t0 = time.perf_counter()
                call()
                times.append((time.perf_counter() - t0) * 1e3)
            totals[('transposed ' if transposed else '') + key] += statistics.median(times)
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=128)
    parser.add_argument('--reps', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--profile-steps', type=int, default=3)
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    # NNPACK cannot start on this kind of processor; left on, every convolution asks again (and warns),
    # which costs ~40 ms a step that has nothing to do with the arithmetic.
    torch.backends.nnpack.set_flags(False)
    torch.manual_seed(1)
    model = UNet()
    params = sum(p.numel() for p in model.parameters())
    g = torch.Generator().manual_seed(42)
    x = torch.rand(args.batch, 1, args.size, args.size, generator=g)
    y = (torch.rand(args.batch, 1, args.size, args.size, generator=g) < 0.3).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(args.warmup):
        timed_step(model, opt, x, y)
    times, cpu = [], []
    for _ in range(args.reps):
        c0, t0 = time.process_time(), time.perf_counter()
        timed_step(model, opt, x, y)
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)

    from torch.profiler import ProfilerActivity, profile, record_function, schedule
    # One step under the profiler unrecorded first (its start-up), then the recorded ones.
    with profile(activities=[ProfilerActivity.CPU], schedule=schedule(wait=0, warmup=1, active=args.profile_steps, repeat=1)) as prof:
        for _ in range(args.profile_steps + 1):
            opt.zero_grad(set_to_none=True)
            loss = F.binary_cross_entropy_with_logits(model(x), y)
            loss.backward()
            with record_function(OPTIMIZER_TAG):
                opt.step()
            loss.item()
            prof.step()
    # Self time of every op, the ops under the optimizer's range counted as the optimizer's.
    n = args.profile_steps
    groups = {name: 0.0 for name, _ in GROUPS}
    other = {}
    optimizer_total = 0.0
    total_self = 0.0

    def under_optimizer(e):
        p = e.cpu_parent
        while p is not None:
            if p.name == OPTIMIZER_TAG:
                return True
            p = p.cpu_parent
        return False

    for e in prof.events():
        if e.name == OPTIMIZER_TAG or e.name.startswith('ProfilerStep'):
            continue
        ms = e.self_cpu_time_total / 1e3 / n
        total_self += ms
        if under_optimizer(e):
            optimizer_total += ms
            continue
        for name, ops in GROUPS:
            if e.name in ops:
                groups[name] += ms
                break
        else:
            other[e.name] = other.get(e.name, 0.0) + ms
    split = conv_grad_split(model, x, 7)
    plain = split['input'] + split['filter']
    transposed = split['transposed input'] + split['transposed filter']
    result = {
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'parameters': params,
        'batch': args.batch,
        'size': args.size,
        'ms_per_step_median': statistics.median(times),
        'ms_per_step_min': min(times),
        'cpu_ms_per_step_median': statistics.median(cpu),
        'profile_ms_per_step': {**groups, 'optimizer (Adam, all its ops)': optimizer_total},
        'profile_other_ops': dict(sorted(((k, v) for k, v in other.items() if v >= 0.05), key=lambda kv: -kv[1])),
        'profile_total_self_ms': total_self,
        'conv_backward_split_ms_alone': split,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"PyTorch {result['torch']} CPU, {result['threads']} thread(s): U-Net {params:,} parameters, batch {args.batch} of {args.size}x{args.size}x1, Adam, sigmoid CE")
    print(f"  {result['ms_per_step_median']:.0f} ms/step median of {args.reps} (min {result['ms_per_step_min']:.0f}, CPU {result['cpu_ms_per_step_median']:.0f} ms)")
    print(f"  per-op self CPU time per step (torch.profiler, {n} steps):")
    for k, v in result['profile_ms_per_step'].items():
        print(f"    {k:<34} {v:8.1f} ms")
    print("    other ops:")
    for k, v in list(result['profile_other_ops'].items())[:12]:
        print(f"      {k:<32} {v:8.1f} ms")
    print(f"  convolution_backward alone, summed over the net's convs: input grad {split['input']:.1f} ms, filter grad {split['filter']:.1f} ms; transposed: input {split['transposed input']:.1f}, filter {split['transposed filter']:.1f} ms")


if __name__ == '__main__':
    main()
