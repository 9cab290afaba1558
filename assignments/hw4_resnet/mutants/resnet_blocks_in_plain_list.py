"""ResNet keeps its blocks in a plain Python list

nn.Module registers only submodules assigned as attributes, nn.Sequential or nn.ModuleList:
blocks held in a Python list have no state_dict() keys, are not moved by .to(), and their
parameters are never given to the optimizer, so they are never trained. See §6 of the handout.
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
        self.blocks, previous = [], channels[0]
        for index, (width, count) in enumerate(zip(channels, blocks_per_stage, strict=True)):
            for block in range(count):
                self.blocks.append(BasicBlock(previous, width, stride=2 if index > 0 and block == 0 else 1, residual=residual))
                previous = width
        self.fc = nn.Linear(channels[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        for block in self.blocks:
            h = block(h)
        return self.fc(h.mean(dim=(2, 3)))
