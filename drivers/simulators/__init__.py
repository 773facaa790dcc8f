"""Simulated devices at the other end of real transports (pty pairs, TCP sockets),
with fault switches, for tests, the scenario runner and `make run --simulate`."""
