import ipaddress
import os
import shutil
import socket
import subprocess
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, settings

# "sktopo" keeps the suite quick and repeatable (the same examples on every run, so CI cannot
# turn red by chance); HYPOTHESIS_PROFILE=thorough searches longer, with fresh random examples.
for name, examples, derandomize in (("sktopo", 60, True), ("thorough", 1000, False)):
    settings.register_profile(
        name,
        max_examples=examples,
        deadline=None,
        derandomize=derandomize,
        suppress_health_check=[HealthCheck.too_slow],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sktopo"))


def _on_this_machine(host) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a host name other than localhost
        return False


@pytest.fixture(autouse=True, scope="session")
def offline():
    """The suite runs offline, wherever it runs: a connection beyond this machine fails at once,
    as it does with no network, whatever asks for it (a ``download=True`` included). Connections
    on this machine (dask's local cluster) go through."""
    getaddrinfo, connect = socket.getaddrinfo, socket.socket.connect

    def local_getaddrinfo(host, *args, **kwargs):
        if not _on_this_machine(host if isinstance(host, str) or host is None else host.decode()):
            raise socket.gaierror(f"the tests run offline: {host!r} is not looked up")
        return getaddrinfo(host, *args, **kwargs)

    def local_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _on_this_machine(address[0]):
            raise OSError(f"the tests run offline: no connection to {address[0]!r}")
        return connect(self, address)

    socket.getaddrinfo, socket.socket.connect = local_getaddrinfo, local_connect
    yield
    socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


class Rendered(NamedTuple):
    """A page as headless Chromium showed it."""

    dom: str  # the DOM once the page's scripts ran
    errors: list  # the console's messages and uncaught exceptions
    screenshot: str  # path of a PNG of the window
    coloured: int  # how many of its pixels are coloured (not white, grey or black)


@pytest.fixture
def chromium(tmp_path):
    """Open a local HTML file in Debian's headless chromium; skip the test where it is missing."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")

    def open_page(page, window=(900, 900)) -> Rendered:
        import matplotlib.pyplot as plt

        common = [CHROMIUM, *CHROMIUM_FLAGS, f"--window-size={window[0]},{window[1]}"]
        common.append(f"--user-data-dir={tmp_path / 'chromium-profile'}")
        url = f"file://{os.path.abspath(page)}"
        dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True, timeout=120)
        errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
        screenshot = str(tmp_path / f"{os.path.basename(page)}.png")
        subprocess.run(
            [*common, f"--screenshot={screenshot}", url], capture_output=True, timeout=120, check=True
        )
        pixels = plt.imread(screenshot)[..., :3]
        coloured = (abs(pixels - pixels.mean(axis=2, keepdims=True)).max(axis=2) > 0.2).sum()
        return Rendered(dom.stdout, errors, screenshot, int(coloured))

    return open_page
