"""BasicBlock uses a projection shortcut even where the identity fits

The shortcut is a 1x1 convolution + BatchNorm only when the shapes change (stride != 1 or
in_channels != out_channels); otherwise it is nn.Identity(), which has no parameters. A
projection everywhere adds shortcut.* parameters and state_dict keys, and changes the values.
See §5 of the handout.
"""

# target: models.py


class BasicBlock(BasicBlock):
    def __init__(self, in_channels, out_channels, stride=1, residual=True):
        super().__init__(in_channels, out_channels, stride=stride, residual=residual)
        if residual and isinstance(self.shortcut, nn.Identity):
            projection = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
            self.shortcut = nn.Sequential(projection, nn.BatchNorm2d(out_channels))
