"""The run harness: loads a target script (../shared/design/contract.md) and runs its training
under controlled variations, with sentinels, snapshots and an instrumented replay.

Runs inside the probe child process; it imports torch and the user's script. nanwiz's own
process (the CLI, the TUI) never imports this package's torch-using modules.
"""
