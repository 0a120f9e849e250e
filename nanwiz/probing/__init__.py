"""Running probes from nanwiz's own process: child processes, ordering, fix verification.

Torch-free: the parent never imports the user's script or torch.
"""
