"""Every worked example in scoring/README.md runs and prints what it says."""

import doctest
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "scoring" / "README.md"


def test_readme_examples():
    # Code fences end an example's expected output, as a blank line would.
    text = "\n".join("" if line.strip().startswith("```") else line for line in README.read_text(encoding="utf-8").splitlines())
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "scoring/README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 40
    assert result.failed == 0
