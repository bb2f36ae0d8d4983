"""The benchmark suite: speed and memory of the actor engine against the matrix engine and a plain object graph."""
