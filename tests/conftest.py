import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # the oracle and the recording runtime

from viewing import browser, page, runs  # noqa: E402, F401 - the live view's fixtures, for tests/test_view*.py
