"""nanwiz: finds out why a PyTorch training run produces NaN or Inf, and says how to fix it."""

__version__ = "0.1.0"


def watch(**kwargs):
    """Watch training code in this process (a notebook, code that cannot be launched):

        with nanwiz.watch():
            train()

    At the first NaN/Inf it stops the training, prints the diagnosis and writes the report.
    Also a decorator (`@nanwiz.watch()`) and a call at the top of a script (`nanwiz.watch().start()`).
    See nanwiz.inprocess.Watch for the options."""
    from nanwiz.inprocess import Watch

    return Watch(**kwargs)
