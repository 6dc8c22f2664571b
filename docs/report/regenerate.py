"""Regenerate the report shown in ``docs/reading_the_report.md`` from the default demo.

Run from the repository root, after ``pip install -e .``::

    python docs/report/regenerate.py

It runs ``sktopo demo`` with its defaults in a temporary folder (a few minutes on a laptop's
CPU), copies the figures and ``summary.json`` here, and takes a screenshot of the report's top
with Debian's headless ``chromium`` (``report_top.png``; skipped, with a message, where chromium
is missing). Commit what it writes when the report changes.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

#: What the page shows, copied from the demo's output folder.
FILES = ("dense_core.png", "barcodes.png", "null.png", "mapper.png", "accuracy.png", "summary.json")


def screenshot(page: str, path: str, size=(1000, 1500)) -> bool:
    """A picture of the top of the HTML file ``page`` at ``path``; False where chromium is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not found: report_top.png left as it is", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                "--virtual-time-budget=5000",
                f"--screenshot={path}",
                f"file://{page}",
            ],
            check=True,
            capture_output=True,
        )
    return True


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # in its own folder, with the defaults: the report's command line reads "sktopo demo"
        subprocess.run([sys.executable, "-m", "sktopo", "demo"], cwd=folder, check=True)
        out = os.path.join(folder, "sktopo_output")
        for name in FILES:
            shutil.copy(os.path.join(out, name), HERE)
        screenshot(os.path.join(out, "report.html"), os.path.join(HERE, "report_top.png"))


if __name__ == "__main__":
    main()
