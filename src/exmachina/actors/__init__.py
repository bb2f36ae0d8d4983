"""The kernel: processes with mailboxes, and the processes of a neural network.

- `runtime`: where processes live and how messages move: `routes` (a receiver and a slot for each
  message), `dendrites` (a process folds each message into its sum as it arrives), `delivery` (the
  loops that hand each message to its receiver, and the run queue); all compiled by Cython, with
  `neuron`, `signals`, `activations` and `feeder`; `shuffled`: the same, delivering in any order a
  network could;
- `neuron`: the nine steps, and nothing else; `signals`: its arithmetic, for one example or a batch;
- `feeder` and `teacher`: the processes that present examples and judge the outputs; `losses` and
  `activations`: the functions they and the neurons use;
- `lines`: every message line of a network, each written straight into its place in the tables;
- `wiring`: the routes each process uses at each place, and what crosses between places;
- `society`: the processes a blueprint describes, built from its wiring.

Nothing here imports from the layers above (shards, data, network, tracing, watch, cli).
"""
