"""Attaching to a training program nanwiz does not own (`nanwiz run train.py ARGS`).

The user's program runs as `__main__` in a probe child process, unmodified. nanwiz sees it
only through PyTorch's own extension points, installed before the program starts:

- global module forward hooks: which module calls are *root calls* (no module forward is
  running), their inputs and outputs;
- global optimizer step hooks: the training step (an optimizer step, or a GradScaler skip),
  the gradients and the weights around it;
- `Tensor.backward` / `torch.autograd.backward`: the loss of each backward call;
- a TorchFunctionMode that is only on the stack while no module, optimizer or DataLoader
  code runs, so it sees exactly the torch calls of the user's own loop (`tape`): the data
  preparation, the loss computation, the backward call;
- DataLoader iterators: which dataset indices each batch holds (`data`);
- GradScaler, autocast, clip_grad_norm_, zero_grad, LR schedulers: what the loop does with
  them (`hooks`).

The always-on part (`watch`) reads its sentinels once per step. At the first failure it
captures the state before the failing step (weights, optimizer, scaler, RNG) together with
the step's *tape*: the dataflow of the loop's torch calls and root module calls since the
previous optimizer step. Replaying a tape re-executes the failing step's forward, loss and
backward on the captured state, with any watcher, precision or subset of the batch, without
the user's loop: that is how a step of code nanwiz does not own is re-executed
(`program.TapeStep`, the attached implementation of `nanwiz.harness.step.StepProgram`).
"""
