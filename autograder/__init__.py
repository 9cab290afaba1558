"""ConvLab's grading engine: sandboxed workers, checks against PyTorch, releases and gradebooks."""
