"""Pages built without a browser: lazy imports, escaping, query parsing."""

from __future__ import annotations

import json
import subprocess
import sys

from cases import load_library
from formfill import html_of  # tests/formfill.py
from widgets.common import esc, page_context, paragraphs, parse_query


def test_start_and_case_pages_do_not_import_pandas_or_altair():
    code = (
        "import sys, json\n"
        "from cases import load_library\n"
        "from widgets.common import page_context\n"
        "from widgets import start_page, case_page\n"
        "lib = load_library()\n"
        "start_page.build(page_context('lang=sv'), lib)\n"
        "case_page.build(page_context('case=assi&lang=en'), lib)\n"
        "print(json.dumps(sorted(m for m in ('pandas', 'altair', 'numpy', 'scipy', 'vl_convert') if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_start_page_lists_every_valid_case_by_name_and_age():
    library = load_library()
    html = html_of(__import__("widgets.start_page", fromlist=["build"]).build(page_context("lang=sv"), library))
    for case in library.cases.values():
        assert f'data-case="{case.id}"' in html
        assert esc(case.title.sv) in html
        assert f"{case.age} år" in html


def test_case_page_shows_every_section_in_the_chosen_language():
    from widgets import case_page

    library = load_library()
    case = library.get("assi")
    html = html_of(case_page.build(page_context("case=assi&lang=en"), library))
    assert "The child&#x27;s development" in html or "The child's development" in html
    for _side, section in case.vignette.sections():
        first_words = " ".join(section.text.en.split()[:4])
        assert esc(first_words) in html


def test_text_is_escaped():
    assert esc('<img src=x onerror="alert(1)">') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert paragraphs("a <b>\n\nc & d") == "<p>a &lt;b&gt;</p><p>c &amp; d</p>"


def test_query_parsing_is_bounded_and_language_is_normalised():
    assert parse_query("case=assi&lang=en&x=" + "y" * 500)["x"] == "y" * 200
    assert page_context("lang=fr").lang == "sv"
    assert page_context("lang=en").lang == "en"
    assert page_context("case=%3Cscript%3E").param("case") == "<script>"


def test_feedback_and_progress_need_no_altair_vl_convert_numpy_pandas_or_scipy_in_the_kernel(tmp_path):
    """A trainee's kernel fills chart templates (samsyn/charts.py); Altair made them once, elsewhere."""
    from samsyn import charts

    charts.write_templates(charts.templates_path(tmp_path / "cache"))  # where samsyn serve has them written
    code = (
        "import sys, json\n"
        "from cases import load_library\n"
        "from store import Store\n"
        "from widgets.trainee import TraineeLoop\n"
        "from widgets import progress_view\n"
        "from samsyn.charts import specs_in\n"
        "sys.path.insert(0, 'tests')\n"
        "from formfill import complete\n"
        "lib = load_library()\n"
        f"store = Store('sqlite:///{tmp_path / 'k.sqlite3'}')\n"
        "p = store.create_participant('K', self_paced=True)\n"
        "drawn = 0\n"
        "for case, risk in (('max', 'hog'), ('assi', 'mycket_hog')):\n"
        "    loop = TraineeLoop(lib.get(case), lib, store, p, 'sv')\n"
        "    complete(loop, risk)\n"
        "    drawn += len(specs_in(loop.widget))\n"
        "drawn += len(specs_in(progress_view.build(store, p, lib, 'sv')))\n"
        "print(json.dumps([drawn, sorted(m for m in ('altair', 'vl_convert', 'jsonschema', 'numpy', 'pandas', 'scipy') if m in sys.modules)]))\n"
    )
    env = {**__import__("os").environ, "SAMSYN_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    drawn, heavy = json.loads(result.stdout.strip().splitlines()[-1])
    assert drawn >= 3 and heavy == []
