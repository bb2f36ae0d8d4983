"""The files a user names: Semeion's digits, MNIST's IDX files and CSV tables.

Every problem with a file is a `ValueError` of one line that names the file and the line or
record, so that the command line can show it without a traceback.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from . import labelling, reading
from .dataset import DEFAULTS, DataSet

SEMEION_PIXELS = 256  # 16x16 pixels, then a one-hot label of 10 fields
SEMEION_CLASSES = 10
IDX_EXPANSION = 25  # bytes of memory per byte of an IDX file: its bytes and three float64 copies


# -- Semeion -------------------------------------------------------------------------------------


def semeion(path: str | os.PathLike) -> DataSet:
    """The Semeion handwritten digits: per line 256 pixel values, then the label as 10 one-hot fields."""
    width = SEMEION_PIXELS + SEMEION_CLASSES
    rows, labels, where = [], [], []
    for number, line in enumerate(_lines(path), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != width:
            raise ValueError(f"{path}, line {number}: expected {width} fields "
                             f"({SEMEION_PIXELS} pixels and a {SEMEION_CLASSES}-way label), found {len(fields)}")
        values = _numbers(fields, path, number)
        one_hot = values[SEMEION_PIXELS:]
        if sorted(one_hot) != [0.0] * (SEMEION_CLASSES - 1) + [1.0]:
            raise ValueError(f"{path}, line {number}: the last {SEMEION_CLASSES} fields must be a one-hot "
                             f"label (one 1 and nine 0s), found {' '.join(fields[SEMEION_PIXELS:])}")
        rows.append(values[:SEMEION_PIXELS])
        labels.append(one_hot.index(1.0))
        where.append(f"{path}, line {number}")
    if not rows:
        raise ValueError(f"{path}: no examples (the file is empty)")
    return DataSet(f"semeion:{path}", np.array(rows), np.array(labels, dtype=np.int64),
                   list(range(SEMEION_CLASSES)), where=where)


# -- MNIST (IDX files) ---------------------------------------------------------------------------


def mnist(directory: str | os.PathLike) -> DataSet:
    """Every pair of IDX image and label files in a directory (train and t10k), gzipped or not.

    Pixels are scaled from 0..255 to 0..1. Both MNIST sets are pooled and split like any other
    data, so `--test-fraction` decides the test set here too.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"{directory}: {'not a directory' if folder.exists() else 'no such directory'}")
    images = sorted(p for p in folder.iterdir() if "images" in p.name and "idx3" in p.name)
    if not images:
        raise ValueError(f"{directory}: no MNIST image files (such as train-images-idx3-ubyte.gz) found")
    inputs, labels, where = [], [], []
    for image_file in images:
        label_file = folder / image_file.name.replace("images", "labels").replace("idx3", "idx1")
        if not label_file.exists():
            raise ValueError(f"{image_file}: no matching label file {label_file.name}")
        pixels = read_idx(image_file, dimensions=3)
        answers = read_idx(label_file, dimensions=1)
        if len(pixels) != len(answers):
            raise ValueError(f"{label_file}: {len(answers)} labels for the {len(pixels)} images of {image_file.name}")
        inputs.append(pixels.reshape(len(pixels), -1))
        labels.append(answers.astype(np.int64))
        where += [f"{image_file}, record {i + 1}" for i in range(len(pixels))]
    shapes = {x.shape[1] for x in inputs}
    if len(shapes) > 1:
        raise ValueError(f"{directory}: the image files hold images of different sizes")
    # the bytes pooled first, then scaled once into the doubles: a set's doubles are made once, not twice
    x, y = np.concatenate(inputs) / 255.0, np.concatenate(labels)
    if not len(x):
        raise ValueError(f"{directory}: the IDX files hold no images")
    classes = list(range(10)) if y.max() < 10 else sorted(set(y.tolist()))
    return DataSet(f"mnist:{directory}", x, y, classes, where=where)


def read_idx(path: str | os.PathLike, dimensions: int) -> np.ndarray:
    """An IDX file of unsigned bytes (gzipped or not) as an array, checking magic number and length.

    The header's shape is checked against the file's size and the memory it needs before the
    values are read, and no more than it declares is ever read (or inflated).
    """
    header = 4 + 4 * dimensions
    with reading.Stream(path, IDX_EXPANSION) as stream:
        raw = stream.read(header)
        expected = bytes([0, 0, 0x08, dimensions])
        if len(raw) < 4 or raw[:4] != expected:
            raise ValueError(f"{path}: bad magic number {raw[:4].hex() or '(empty file)'}, expected "
                             f"{expected.hex()} (an IDX file of unsigned bytes with {dimensions} "
                             f"dimension{'s' * (dimensions > 1)})")
        if len(raw) < header:
            raise ValueError(f"{path}: truncated header ({len(raw)} of {header} bytes)")
        shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions)]
        if 0 in shape:
            what = "no records" if shape[0] == 0 else "records of no values"
            raise ValueError(f"{path}: its header declares {'x'.join(map(str, shape))} values: {what}, "
                             "nothing to learn")
        size = math.prod(shape)
        stream.expect(size, f"the header's {'x'.join(map(str, shape))} values need")
        body = stream.read(size + 1)
    if len(body) < size:
        per_record = size // shape[0] if shape[0] else 1
        raise ValueError(f"{path}: truncated: {'x'.join(map(str, shape))} values need {size} bytes, "
                         f"found {len(body)} (record {len(body) // per_record + 1} of {shape[0]} is incomplete)")
    if len(body) > size:
        raise ValueError(f"{path}: more bytes after the {'x'.join(map(str, shape))} values")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


# -- CSV -----------------------------------------------------------------------------------------


def table(path: str | os.PathLike, label: str | None = None, labelled: bool = True,
          features: list[str] | None = None, known_label: str | None = None) -> DataSet:
    """A CSV file with a header row: numeric features and a label column (`label`, else the last).

    Labels that are all whole numbers become integers; any other labels stay words. With
    `labelled=False` every column is a feature and the labels are left empty. With `features` (the
    names a model learned from) the columns are taken by name, in that order; the label is `label`,
    else the column `known_label` when the file has it, else there is none; any other column is refused.
    """
    rows = csv.reader(_lines(path))
    try:
        header = next(rows, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(rows, None)
        if header is None:
            raise ValueError(f"{path}: empty file (expected a header row, then one example per line)")
        names = [h.strip() for h in header]
        if label is not None and label not in names:
            raise ValueError(f"{path}: no column named {label!r}; the columns are {', '.join(names)}")
        if features is not None:
            column, order = _by_name(path, names, features, label or (known_label if known_label in names else None))
        elif labelled:
            column = names.index(label) if label is not None else len(names) - 1
            if len(names) < 2:
                raise ValueError(f"{path}, line 1: need at least one feature column and a label column")
            order = [i for i in range(len(names)) if i != column]
        else:
            column, order = None, list(range(len(names)))
        feature_names = [names[i] for i in order]
        inputs, labels, where = [], [], []
        for fields in rows:
            number = rows.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(names):
                raise ValueError(f"{path}, line {number}: expected {len(names)} fields (as in the header), "
                                 f"found {len(fields)}")
            inputs.append(_numbers([fields[i] for i in order], path, number, feature_names))
            if column is not None:
                value = fields[column].strip()
                if not value:
                    raise ValueError(f"{path}, line {number}, column {names[column]!r}: empty label")
                labels.append(value)
            where.append(f"{path}, line {number}")
    except csv.Error as bad:
        raise ValueError(f"{path}, line {rows.line_num}: {bad}") from None
    if not inputs:
        raise ValueError(f"{path}: no examples after the header row")
    x = np.array(inputs, dtype=float)
    if column is None:
        return DataSet(f"csv:{path}", x, np.array([], dtype=object), [], where=where, names=feature_names)
    if features is None:  # learning: the labels must look like classes
        labelling.check(path, names, column, labels, given=label is not None)
    y = labelling.values(labels)
    return DataSet(f"csv:{path}", x, y, sorted(set(y.tolist())), where=where, names=feature_names,
                   label=names[column], defaults={**DEFAULTS, "scale": "standard"})  # columns come in any units


def _by_name(path: Any, names: list[str], features: list[str], label: str | None) -> tuple[int | None, list[int]]:
    """The label column (or None) and the features' columns, found by their names in the header."""
    missing = [f for f in features if f not in names]
    if missing:
        raise ValueError(f"{path}: no column named {missing[0]!r}: the model learned from the columns "
                         f"{', '.join(features)}; the file has {', '.join(names)}")
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ValueError(f"{path}: two columns are named {twice!r}: which one the model means is not known")
    extra = [n for n in names if n not in features and n != label]
    if extra:
        raise ValueError(f"{path}: the model did not learn from the column {extra[0]!r} (its features are "
                         f"{', '.join(features)}{'' if label else '; name a label column with --label'})")
    return (None if label is None else names.index(label)), [names.index(f) for f in features]


def table_header(path: str | os.PathLike) -> list[str]:
    """The names in the header row of a CSV file (none for an empty file)."""
    for fields in csv.reader(_lines(path)):
        if any(f.strip() for f in fields):
            return [f.strip() for f in fields]
    return []


# -- reading files -------------------------------------------------------------------------------


def _lines(path: str | os.PathLike) -> list[str]:
    """A text file's lines, or a ValueError that names the file (missing, unreadable, binary, too big)."""
    return reading.text_lines(path)


def _numbers(fields: list[str], path: Any, line: int, names: list[str] | None = None) -> list[float]:
    values = []
    for i, text in enumerate(fields):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            column = f"column {names[i]!r}" if names else f"field {i + 1}"
            raise ValueError(f"{path}, line {line}, {column}: {text.strip()!r} is not a number")
        values.append(value)
    return values
