"""Global max pooling instead of global average pooling

The ResNet head averages each channel over H and W (global average pooling) before the linear
layer. Taking the maximum still trains well on digits, but it is a different network: its
outputs and gradients differ from the specified one. See §6 of the handout.
"""

# target: models.py

import torch
from torch import nn


class ResNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=10, channels=(8, 16, 32), blocks_per_stage=(1, 1, 1), residual=True) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, channels[0], 3, stride=1, padding=1, bias=False), nn.BatchNorm2d(channels[0]), nn.ReLU()
        )
        stages, previous = [], channels[0]
        for index, (width, count) in enumerate(zip(channels, blocks_per_stage, strict=True)):
            blocks = []
            for block in range(count):
                blocks.append(BasicBlock(previous, width, stride=2 if index > 0 and block == 0 else 1, residual=residual))
                previous = width
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(channels[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stages(self.stem(x))
        return self.fc(h.amax(dim=(2, 3)))
