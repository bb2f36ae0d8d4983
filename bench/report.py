"""Rich tables for the figures the suite measured."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

GIB = 4.0 * 1024  # the memory budget, in MiB


def _seconds(figures: dict[str, Any]) -> str:
    low, median, high = (figures[k] for k in ("min", "median", "max"))
    digits = 3 if median < 0.1 else 2
    return f"{median:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def _ratio(figures: dict[str, Any] | None) -> str:
    return "-" if figures is None else f"{figures['median']:.2f} ({figures['min']:.2f}-{figures['max']:.2f})"


def _memory(memory: dict[str, dict[str, float]] | None, key: str) -> str:
    if not memory:
        return "-"
    return "/".join(f"{m[key]:.0f}" if m[key] >= 10 else f"{m[key]:.1f}" for m in memory.values())


def speed_tables(rows: list[dict[str, Any]], machine: dict[str, Any]) -> list[Table]:
    """CPU seconds of each engine, then the speed ratios, the weights' agreement and the memory."""
    repeats = rows[0]["repeats"] if rows else 0
    engines = list(dict.fromkeys(e for row in rows for e in row["cpu_seconds"]))
    data = dict.fromkeys(f"{row['network']}: {row['data']}" for row in rows)
    load = f"load {machine['load_before']} before, {machine.get('load_after', '?')} after (uptime)"
    seconds = Table(
        title=f"CPU seconds of one pass of SGD, one thread each "
        f"(median and range of {repeats} interleaved runs; {load})",
        caption="Data: " + "; ".join(data) + ". Sigmoid, squared error, the same initial weights and order of "
        "examples. Each pass is learning plus scoring every example's loss and hit.\nlean NumPy: a 15-line NumPy loop "
        "(bench/baseline.py); PyTorch: nn.Sequential and torch.optim.SGD, float64, torch.set_num_threads(1); "
        "C program: the actors' bare per-message work in C (bench/reference.c), online only, scoring nothing.",
    )
    for column in ("network", "batch", "examples", *engines):
        seconds.add_column(column, justify="left" if column == "network" else "right")
    for row in rows:
        found = row["cpu_seconds"]
        seconds.add_row(row["network"], str(row["batch_size"]), f"{row['examples']:,}",
                        *(_seconds(found[e]) if e in found else "-" for e in engines))
    names = list(dict.fromkeys(name for row in rows for name in row["ratios"]))
    peers = [e for e in engines if e != "actors"]
    ratios = Table(
        title="Speed ratios, each repeat's own (how many times faster the first ran than the second; median, range)",
        caption="Weights: the largest difference of each engine's learned weights from the actors', relative to "
        "the largest weight (" + ", ".join(peers) + "); the C program's must be 0, the actors' very bits.\n"
        "Memory of " + "/".join(e for e in engines if e != "C program") + ", each engine alone in a fresh process: "
        "heap = tracemalloc peak of the pass, RSS = peak resident size of that process.",
    )
    for column in ("network", "batch", *names, "weights", "actors msg/CPU-s", "heap MiB", "RSS MiB"):
        ratios.add_column(column, justify="left" if column == "network" else "right")
    for row in rows:
        against = row["weights_against_actors"]
        ratios.add_row(
            row["network"], str(row["batch_size"]), *(_ratio(row["ratios"].get(n)) for n in names),
            "/".join(f"{against[e]:.0e}" if against[e] else "0" for e in peers if e in against),
            f"{row['cpu_seconds']['actors']['messages_per_cpu_second']:,.0f}",
            _memory(row.get("memory"), "traced_peak_mib"), _memory(row.get("memory"), "peak_rss_mib"),
        )
    return [seconds, ratios]


def semeion_table(found: dict[str, Any]) -> Table:
    reference = found["reference"]
    table = Table(
        title=f"Exmachina set-up on Semeion ({found['examples']} digits; 256-8-10, sigmoid, squared error, "
        f"rate 2.0, actors): {found['examples_per_second']:,.0f} examples/s "
        f"({found.get('cpu_examples_per_second', 0):,.0f} per CPU second) against Exmachina's "
        f"~{reference['examples_per_second']:.0f}",
    )
    for column in ("pass", "last 200 right", "pass accuracy", "Exmachina", "loss", "examples/s", "messages/s"):
        table.add_column(column, justify="right")
    for row in found["passes"]:
        ref = row["reference_accuracy"]
        table.add_row(
            str(row["pass"]), f"{row['recent_accuracy']:.1%}", f"{row['accuracy']:.1%}",
            "-" if ref is None else f"~{ref:.0%}", f"{row['loss']:.4f}",
            f"{row['examples_per_second']:,.0f}", f"{row['messages_per_second']:,.0f}",
        )
    return table


def scale_table(sizes: list[dict[str, Any]]) -> Table:
    table = Table(
        title="Sparse network, actor engine: build, one example forward and backward, save, load",
        caption="Peak RSS of the whole process (each size in its own process); bytes per neuron and per "
        "synapse divide that peak; the fit time includes building the society.",
    )
    for column in ("neurons", "synapses", "build s", "fit s (pass)", "save s", "load s", "file MiB",
                   "peak RSS MiB", "B/neuron", "B/synapse", "within 4 GiB"):
        table.add_column(column, justify="right")
    for found in sizes:
        stages = found["stages"]

        def seconds(name: str, stages: dict = stages) -> str:
            return f"{stages[name]['seconds']:.1f}" if name in stages else "-"  # finished stages only

        fit = stages.get("fit")
        fit_text = f"{fit['seconds']:.1f} ({fit['pass_seconds']:.1f})" if fit and "pass_seconds" in fit else "-"
        peak = found["peak_rss_mib"]
        neurons, synapses = found.get("neurons"), found.get("synapses")
        table.add_row(
            f"{neurons:,}" if neurons else "-", f"{synapses:,}" if synapses else "-",
            seconds("build"), fit_text, seconds("save"), seconds("load"),
            f"{found['file_mib']:.0f}" if "file_mib" in found else "-", f"{peak:,.0f}",
            f"{peak * 2**20 / neurons:,.0f}" if neurons else "-",
            f"{peak * 2**20 / synapses:,.0f}" if synapses else "-",
            found.get("error") or ("yes" if peak <= GIB else "no"),
        )
    return table


def breakdown_table(found: dict[str, Any]) -> Table:
    table = Table(
        title=f"Where the memory goes (tracemalloc, {found['neurons']:,} neurons, {found['synapses']:,} synapses), "
        "bytes per synapse",
    )
    table.add_column("what")
    table.add_column("B/synapse", justify="right")
    for what, key in (
        ("blueprint arrays (sources, targets, weights, biases)", "blueprint_arrays_bytes_per_synapse"),
        ("actor society, resident after building", "society_bytes_per_synapse"),
        ("actor society, peak while building", "society_build_peak_bytes_per_synapse"),
        ("one example in flight, above the society", "one_example_peak_bytes_per_synapse"),
        ("save (peak above resident)", "save_peak_bytes_per_synapse"),
        ("load (peak above resident)", "load_peak_bytes_per_synapse"),
        ("saved file", "file_bytes_per_synapse"),
    ):
        table.add_row(what, f"{found[key]:.0f}")
    for line in found["society_by_line"]:
        table.add_row(escape(f"  society: {line['line']}  {line['code']}"), f"{line['bytes_per_synapse']:.0f}")
    return table


def shard_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(
        title="One process against 2 shards on Ray, one pass of SGD each, side by side (medians, least-most)",
        caption="CPU/wall: the machine's CPU-seconds per wall-second during the pass, Ray's own processes "
                "included (2 cores: at most 2). busy: share of the pass each shard spent working. Same weights: every "
                "run's, with one example in flight (-: several in flight, where the interleaving counts).",
    )
    for column in ("workload", "one process ex/s", "2 shards ex/s", "speed-up", "CPU/wall one", "CPU/wall 2",
                   "transfers/ex", "bytes/transfer", "rounds/ex", "busy", "same weights"):
        table.add_column(column, justify="left" if column == "workload" else "right")
    for row in rows:
        one, split = row["one process"], row["2 shards"]

        def spread(figure: dict[str, float], digits: int = 0) -> str:
            return f"{figure['median']:,.{digits}f} ({figure['min']:,.{digits}f}-{figure['max']:,.{digits}f})"

        table.add_row(
            row["workload"], spread(one["examples_per_second"]), spread(split["examples_per_second"]),
            f"{row['speedup']:.2f}", spread(one["cpu_per_wall"], 2), spread(split["cpu_per_wall"], 2),
            f"{split['transfers_per_example']['median']:.2f}", f"{split['bytes_per_transfer']['median']:,.0f}",
            f"{split['rounds_per_example']['median']:.2f}", " ".join(f"{b:.0%}" for b in split["busy_share"]),
            {True: "yes", False: "NO", None: "-"}[row["same_weights"]],
        )
    return table


def cost_model_table(found: dict[str, Any]) -> Table:
    constants = found["constants"]
    table = Table(
        title="The shards' cost model: t1 / N + waves x latency + bytes / bandwidth, against what was measured",
        caption=f"latency {constants['latency'] * 1e3:.2f} ms a hop (ZeroMQ), bandwidth "
                f"{constants['bandwidth'] / 1e6:,.0f} MB/s (measured here); ms per example, medians. work: the "
                "shards' working seconds per example, all together, over one process's; 'with work': the model "
                "with that work in place of t1. 4-16: work, waves and bytes along the line through 2 and 3 shards. "
                "latency for 1.6x: the most a wave may take for the model (t1 / N) to reach 1.6x one process.",
    )
    for column in ("workload", "shards", "waves/ex", "KB/ex", "work", "measured ms", "model ms", "with work ms",
                   "speed-up (model, with work)", "latency for 1.6x"):
        table.add_column(column, justify="left" if column == "workload" else "right")
    for row in found["workloads"]:
        t1 = row["one_process"]
        table.add_row(row["workload"], "one process", "", "", "1", f"{t1 * 1e3:.1f}", "", "", "")
        for seen in row["measured"] + row["predicted"]:
            measured = seen.get("seconds")
            table.add_row(
                "", str(seen["shards"]), f"{seen['waves']:.1f}", f"{seen['bytes'] / 1e3:,.1f}",
                f"{seen['work'] / t1:.1f}", f"{measured * 1e3:.1f}" if measured else "-",
                f"{seen['model'] * 1e3:.1f}", f"{seen['model_work'] * 1e3:.1f}",
                f"{t1 / seen['model']:.2f}, {t1 / seen['model_work']:.2f}",
                f"{seen['latency_for_aim'] * 1e6:,.0f} µs" if seen["latency_for_aim"] > 0 else "none",
            )
    return table


def transport_table(rows: list[dict[str, Any]]) -> Table:
    sizes = next((list(r["seconds"]) for r in rows if "seconds" in r), [])
    table = Table(title="A parcel of float64 values to another process and back on this machine (median round trip)",
                  caption="shared memory, polled: both sides spin on a word while they wait (a core each).")
    table.add_column("transport")
    for n in sizes:
        table.add_column(f"{int(n):,} values", justify="right")
    for row in rows:
        if "error" in row:
            table.add_row(row["transport"], row["error"], *[""] * (len(sizes) - 1))
        else:
            table.add_row(row["transport"], *(f"{row['seconds'][n] * 1e6:,.0f} µs" for n in sizes))
    return table


def show(console: Console, results: dict[str, Any]) -> None:
    machine = results["machine"]
    console.print(
        f"[bold]exmachina benchmark[/bold]  commit {machine['commit']}  ·  {machine['cpu']} × {machine['cpus']}  ·  "
        f"Python {machine['python']}  ·  numpy {machine['numpy']}  ·  load {machine['load_before']}"
    )
    if results.get("table"):
        for table in speed_tables(results["table"], machine):
            console.print(table)
    if results.get("semeion"):
        console.print(semeion_table(results["semeion"]))
    if results.get("scale"):
        console.print(scale_table(results["scale"]["sizes"]))
        if results["scale"].get("breakdown"):
            console.print(breakdown_table(results["scale"]["breakdown"]))
    if results.get("shards"):
        console.print(shard_table(results["shards"]))
    if results.get("transports"):
        console.print(transport_table(results["transports"]))
    if results.get("cost_model"):
        console.print(cost_model_table(results["cost_model"]))
    if results.get("mnist"):
        found = results["mnist"]
        console.print(f"exmachina {found['command']}: {found['seconds']:.0f} s as a whole process")
        console.print("\n".join(found["output"]), highlight=False)
    if results.get("shard_scale"):
        spread = results["shard_scale"]
        console.print(f"{spread['synapses']:,} synapses, {spread['neurons']:,} neurons over {spread['shards']} shards: "
                      f"one example forward and backward in {spread['seconds']['example']:.1f} s "
                      f"(one process {spread['seconds']['one process']:.1f} s, "
                      f"{'the same bits' if spread['same_bits'] else 'OTHER WEIGHTS'}; "
                      f"shards built in {spread['seconds']['shards']:.1f} s); peak memory (MiB): "
                      + ", ".join(f"{k} {v:,.0f}" for k, v in spread["peak_rss_mib"].items()))
