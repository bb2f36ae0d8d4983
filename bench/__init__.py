"""The benchmark suite: the actors against the matrix engine, a lean NumPy loop, PyTorch and the C program."""
