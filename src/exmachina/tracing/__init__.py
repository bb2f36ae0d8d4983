"""Every message recorded: the tracing runtime, traces of examples, and worked examples.

- `runtime`: a local runtime that writes down every message it delivers and every step;
- `trace`: traces of a network's examples, read and written as JSON lines;
- `explain`: worked examples of the arithmetic, checked against the matrix engine.

Nothing below this layer imports it: an untraced network pays nothing for it.
"""
