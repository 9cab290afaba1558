"""ResNet sums over H and W instead of averaging before fc"""
# ruff: noqa: F821, F811
# target: models.py
# right:


class ResNet(ResNet):
    def forward(self, x):
        h = self.stages(self.stem(x))
        return self.fc(h.sum(dim=(2, 3)))
