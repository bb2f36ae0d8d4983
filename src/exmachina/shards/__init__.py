"""A network spread over shards: one OS process per shard, each with its own run queue, on Ray.

- `placement`: which shard each neuron lives on;
- `shard`: one shard's society and the parcels that cross to the others;
- `sharded`: the shards on Ray, driven from here: rounds, checkpoints, restarts.
"""
