"""`python -m exmachina` is the `exmachina` command."""

from .cli import app

app()
