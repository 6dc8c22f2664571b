"""The README and the how-to run as written; their links resolve; the license and citation files agree
with the package.

Every ```python block of the pages below runs, in order, each in a fresh namespace, with a
temporary folder as the working directory (shared by the blocks of one page, so that a block can
read the file an earlier one saved) and matplotlib's Agg backend. What the prose around a block
claims of its result is checked in ``CLAIMS``. Every ``sktopo ...`` line of a ```bash block must
parse with the command's parser, so that an option renamed or removed fails here.
"""

import configparser
import re
import shlex
from pathlib import Path

import matplotlib
import pytest
import yaml  # PyYAML, in the test extra

import sktopo

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md", "docs/howto_own_model.md"]

#: Per page and block: expressions that must hold in the block's namespace once it has run (what
#: the text says the block shows).
CLAIMS = {
    ("README.md", 0): [
        "core.shape == (115, 9)",
        "circle_verdict(rule).level == 'found'",
        "profile.table['verdict'].tolist() == ['found', 'not_found']",
    ],
    ("README.md", 1): ["result.verdict.level == 'too_small'"],
    ("docs/howto_own_model.md", 1): [
        "filters.shape == (192, 49)",
        "abs(edge_energy(filters, size=7).mean() - 2 / 48) < 0.02",
        "(edge_energy(primary_circle(8, size=7)) > 1 - 1e-9).all()",
    ],
    ("docs/howto_own_model.md", 2): ["profile.verdicts[1].level == 'not_found'"],
    ("docs/howto_own_model.md", 3): [
        "(default_k(n_filters), n_dense_rows(n_filters, 0.3), MIN_CORE_ROWS) == (6, 58, 50)",
        "lifetime_reason(n_filters, 100, 0.1) != ''",
        "lifetime_reason(10 * n_filters, 100, 0.1) == ''",
    ],
}


def _blocks(page: str, language: str) -> list[tuple[int, str]]:
    """The fenced blocks of ``language`` in ``page``: (line number of the fence, code)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M):
        blocks.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


@pytest.fixture
def in_tmp_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    backend = matplotlib.get_backend()
    matplotlib.use("Agg")
    yield tmp_path
    import matplotlib.pyplot as plt

    plt.close("all")
    matplotlib.use(backend)


@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run_as_written(page, in_tmp_folder):
    blocks = _blocks(page, "python")
    assert blocks, f"{page} has no python block"
    for index, (line, code) in enumerate(blocks):
        namespace = {"__name__": "__main__"}
        exec(compile(code, f"{page}:{line}", "exec"), namespace)  # a failure names the page and line
        for claim in CLAIMS.get((page, index), []):
            assert eval(claim, namespace), f"{page}:{line}: the text says {claim}"
    assert len(blocks) > max(i for p, i in CLAIMS if p == page)


def _command_lines(page: str) -> list[list[str]]:
    lines = []
    for _, code in _blocks(page, "bash"):
        for line in code.splitlines():
            for command in line.split("&&"):
                words = shlex.split(command, comments=True)
                if words[:1] == ["sktopo"]:
                    lines.append(words[1:])
    return lines


@pytest.mark.parametrize("page", [*PAGES, "docs/getting_started.md", "docs/cli.md"])
def test_command_lines_parse(page):
    from sktopo.cli import _parser

    lines = _command_lines(page)
    assert lines or page == "docs/cli.md"  # cli.md's blocks are synopses ([--out DIR]), skipped
    for words in lines:
        if any(word[:1] in "[{" or word.rstrip(".").isupper() for word in words):
            continue  # a synopsis, not a command
        args = _parser().parse_args(words)  # an unknown option exits with status 2
        assert args.command == words[0]


def _links(page: str) -> list[str]:
    text = (ROOT / page).read_text(encoding="utf-8")
    return [t for t in re.findall(r"\]\(([^)\s]+)\)", text) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize(
    "page", ["README.md", *(str(p.relative_to(ROOT)) for p in ROOT.glob("docs/**/*.md"))]
)
def test_relative_links_resolve(page):
    folder = (ROOT / page).parent
    for target in _links(page):
        path = target.split("#")[0]
        if path and not path.startswith("auto_examples/"):  # the gallery is built by Sphinx
            assert (folder / path).exists(), f"{page} links to {target}, which does not exist"


def test_license_is_the_one_setup_cfg_names():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert config["metadata"]["license"] == "BSD-3-Clause"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("BSD 3-Clause License\n")
    assert "Neither the name of the copyright holder" in text


def test_citation_cff():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert {"cff-version", "message", "title", "authors", "version", "license"} <= set(citation)
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == sktopo.__version__
    assert citation["license"] == "BSD-3-Clause"
    paper = citation["preferred-citation"]
    assert {"type", "title", "authors", "year"} <= set(paper)
    assert paper["title"] == "Exposition and Interpretation of the Topology of Neural Networks"
    assert [a["family-names"] for a in paper["authors"]] == ["Brüel Gabrielsson", "Carlsson"]
    assert paper["year"] == 2019 and "ICMLA" in paper["collection-title"]
    assert all(isinstance(author, dict) and author for author in citation["authors"])
