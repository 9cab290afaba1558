"""BasicBlock applies its first ReLU before bn1 (conv1 -> ReLU -> bn1)"""
# ruff: noqa: F821, F811
# target: models.py
# right:


class BasicBlock(BasicBlock):
    def forward(self, x):
        h = self.bn1(F.relu(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        if self.residual:
            h = h + self.shortcut(x)
        return F.relu(h)
