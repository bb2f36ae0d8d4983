"""The data a network learns from: `datasets.load` by name, the files a user names (`formats`), the
sets that need no download (`builtin`), splitting, scaling, and reading and writing files safely.
"""
