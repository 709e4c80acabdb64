"""`peacekg review` end to end in a real browser: Debian's chromium (/usr/bin/chromium) driven by
Playwright against the review app started as a process on 127.0.0.1 (stopped by PID), on a copy of
the fixture corpus whose annotation file is a draft with comments.

The annotator's path: the keyboard through the cards (accept, edit, accept, reject, accept…), a
statement edited in its form, a reference individual, a mention and a statement made by selecting
text with the mouse (recogito turns the selection into offsets; the quote and its occurrence are
computed by the server), keys picked from the autocomplete, then Save. The file on disk must then
differ from the draft by exactly those changes (comments kept), validate, and build: the graph holds
the two accepted statements and the new one, not the rejected one. A second tab that loaded the
draft before the save cannot overwrite it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.annotations.saving import check_corpus
from kg.builder.pipeline import build
from kg.store.builds import open_store

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT
from helpers.servers import free_port, stop, wait_until_answering

RECOGITO = ROOT / "service/web/node_modules/@recogito/text-annotator/dist/text-annotator.umd.js"
BASE = "https://w3id.org/peacekg/"
ARTICLE = "fx-001"
HEADER = "# DRAFT of fx-001 for the review app's browser test.\n# Check every item against the text.\n"

pytestmark = pytest.mark.slow

# What the review below does to the draft, as edits of its text (old → new), each applied once.
MENTIONS = [
    "Ana Exempla, ref: ana-exempla",
    "Exempla, ref: ana-exempla, occurrence: all",
    "Ruritania, ref: ruritania",
    "Freedonia, ref: freedonia",
    "Northern Pact, ref: northern-pact",
]
S3 = "  - id: s3\n    type: Claim\n    stance: predicts\n    target: ['#s1']\n    summary: A reader expects peace.\n    evidence: [Peace is near]\n    date: {earliest: 2025-03-02, precision: day}\n"
EXPECTED_EDITS = [
    *((f"  - {{quote: {m}}}\n", f"  - {{quote: {m}, review: reviewed}}\n") for m in MENTIONS),  # accepted (keys)
    (  # what the reviewer adds is reviewed: the mentions of the new individual and of "said Exempla"
        "ref: northern-pact, review: reviewed}\n",
        "ref: northern-pact, review: reviewed}\n  - {quote: a reader, ref: a-reader, review: reviewed}\n"
        "  - {quote: Exempla, ref: ana-exempla, occurrence: 2, review: reviewed}\n",
    ),
    (
        "  - key: lakeside-plan\n    type: PeacePlan\n",
        "  - key: lakeside-plan\n    type: PeacePlan\n    review: reviewed\n",
    ),  # the entity, accepted
    ("evidence: [Minister Ana Exempla]}", "evidence: [Minister Ana Exempla], review: reviewed}"),  # the role, accepted
    ("  - id: s1\n    type: Claim\n", "  - id: s1\n    type: Claim\n    review: reviewed\n"),  # accepted
    ("  - id: s2\n    type: Position\n", "  - id: s2\n    type: Position\n    review: reviewed\n"),  # edited, accepted
    ('suffix: ", said"}]\n', 'suffix: ", said"}]\n    modality: probable\n'),
    (  # rejected; the new statement from the selection "Peace is near" comes last
        S3,
        "  - id: s4\n    type: Claim\n    stance: predicts\n    target: [lakeside-plan]\n    summary: A reader expects peace.\n"
        "    evidence: [Peace is near]\n    review: reviewed\n",
    ),
]


@pytest.fixture(autouse=True)
def recogito_installed() -> None:
    if not RECOGITO.is_file():
        pytest.skip("@recogito/text-annotator is not installed: run make install")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    corpus = make_corpus(tmp_path, articles=1)
    path = corpus / "annotations" / f"{ARTICLE}.yaml"
    text = path.read_text(encoding="utf-8").replace("review: reviewed", "review: draft")
    path.write_text(HEADER + text.replace("statements:\n", "statements:\n  # drafted statements\n"), encoding="utf-8")
    return corpus


@pytest.fixture()
def review_app(tmp_path: Path, corpus: Path) -> Iterator[str]:
    """`peacekg review fx-001` as a process on 127.0.0.1; yields its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update({"PEACEKG_CORPUS_DIR": str(corpus), "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology")})
    log = tmp_path / "review.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "review", ARTICLE, "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answering(process, base + "api/articles", log, 60, "peacekg review")
        assert f"http://127.0.0.1:{port}/" in log.read_text()  # the URL it prints
        yield base
    finally:
        stop(process)


def select_text(page, start: int, end: int) -> None:
    """Drag the mouse over characters start–end of the article (ASCII text: offsets are the DOM's)."""
    box = page.evaluate(
        """([start, end]) => {
            const node = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT).nextNode();
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, end);
            const rects = range.getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
        }""",
        [start, end],
    )
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()


def click_text(page, offset: int) -> None:
    """Click on the character at ``offset`` of the article."""
    x, y = page.evaluate(
        """(offset) => {
            const node = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT).nextNode();
            const range = document.createRange();
            range.setStart(node, offset);
            range.setEnd(node, offset + 1);
            const rect = range.getBoundingClientRect();
            return [rect.left + rect.width / 2, rect.top + rect.height / 2];
        }""",
        offset,
    )
    page.mouse.click(x, y)


def test_review_a_draft_in_the_browser(browser, review_app: str, corpus: Path, tmp_path: Path) -> None:
    path = corpus / "annotations" / f"{ARTICLE}.yaml"
    draft = path.read_text(encoding="utf-8")
    text = (corpus / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.goto(review_app)
    page.wait_for_selector(".card.statement")
    page.wait_for_function("document.querySelectorAll('#article-text span, #article-text div').length > 0")
    other_tab = context.new_page()  # a second tab on the same file, opened before the first saves
    other_tab.goto(review_app)
    other_tab.wait_for_selector(".card.statement")
    page.bring_to_front()  # a tab in the background has its timers and frames throttled

    # clicking the highlighted evidence of s3 ("Peace is near") makes s3's card the current one
    cards = page.locator(".card[data-section='statements']")
    assert cards.count() == 3
    start = text.index("Peace is near") + 3
    click_text(page, start)
    page.wait_for_selector(".card.current[data-section='statements'][data-index='2']")
    cards.nth(0).locator(".title").click()
    page.keyboard.press("a")  # accept s1; the next card (s2) becomes current
    page.keyboard.press("e")  # edit s2
    form = cards.nth(1).locator("form.edit")
    form.locator("select[name=modality]").select_option("probable")
    form.locator("button[type=submit]").click()
    page.locator("body").click(position={"x": 5, "y": 300})  # leave the form; keys go to the cards again
    cards.nth(1).locator(".title").click()
    for key in ["a", "r", "a", "a", "a", "a", "a", "a", "a"]:  # accept s2, reject s3, the entity, the role, 5 mentions
        page.keyboard.press(key)
    assert page.evaluate("window.peacekgReview.pending().length") == 11

    # a new reference individual from the selection "a reader"
    start = text.index("a reader")
    select_text(page, start, start + len("a reader"))
    menu = page.locator("#selection-menu")
    menu.wait_for(state="visible")
    assert "“a reader”" in menu.locator(".quote").inner_text()
    menu.locator("[data-choice=individual]").click()
    page.fill("#selection-form input[name=label]", "A reader")
    assert page.input_value("#selection-form input[name=key]") == "a-reader"
    assert page.input_value("#selection-form select[name=type]") == "Person"
    page.fill("#selection-form input[name=wikidata]", "Q999999999")
    page.click("#selection-form button[type=submit]")

    # a new mention of the second "Exempla" (in "said Exempla"), its key from the autocomplete
    start = text.index("said Exempla") + len("said ")
    select_text(page, start, start + len("Exempla"))
    menu.wait_for(state="visible")
    assert "“Exempla”" in menu.locator(".quote").inner_text()
    menu.locator("[data-choice=mention]").click()
    page.locator("#selection-form input[name=ref]").press_sequentially("Exempla")
    suggestion = page.locator("#selection-form .suggestions div[data-key=ana-exempla]")
    suggestion.wait_for(state="visible")
    assert "Person" in suggestion.inner_text()
    suggestion.dispatch_event("mousedown")
    assert page.input_value("#selection-form input[name=ref]") == "ana-exempla"
    page.click("#selection-form button[type=submit]")
    assert page.evaluate("window.peacekgReview.pending().length") == 13

    # a new statement whose evidence is the selection "Peace is near" (s3's, rejected above)
    start = text.index("Peace is near")
    select_text(page, start, start + len("Peace is near"))
    menu.wait_for(state="visible")
    menu.locator("[data-choice=statement]").click()
    page.select_option("#selection-form select[name=type]", "EventReport")  # the form follows the type
    assert page.locator("#selection-form input[name=event]").count() == 1
    assert page.locator("#selection-form select[name=stance]").count() == 0
    page.select_option("#selection-form select[name=type]", "Claim")
    page.select_option("#selection-form select[name=stance]", "predicts")
    page.locator("#selection-form input[name=target]").press_sequentially("Lakeside")
    suggestion = page.locator("#selection-form .suggestions div[data-key=lakeside-plan]")
    suggestion.wait_for(state="visible")
    suggestion.dispatch_event("mousedown")
    page.fill("#selection-form input[name=summary]", "A reader expects peace.")
    page.click("#selection-form button[type=submit]")
    assert page.evaluate("window.peacekgReview.pending().length") == 14

    page.keyboard.press("Control+s")
    page.wait_for_selector("#messages .ok")
    assert "the file validates" in page.inner_text("#messages")
    assert page.locator(".card[data-section='statements']").count() == 3
    saved = path.read_text(encoding="utf-8")

    # the second tab's save (it loaded the draft) is refused: the first tab's work stays on disk, and
    # the second tab keeps its unsaved change on the page
    other_tab.bring_to_front()
    other_tab.locator(".card[data-section='statements'] .title").first.click()
    other_tab.keyboard.press("r")
    other_tab.keyboard.press("Control+s")
    other_tab.wait_for_selector("#messages .error")
    assert "changed on disk" in other_tab.inner_text("#messages")
    assert other_tab.evaluate("window.peacekgReview.pending().length") == 1
    assert path.read_text(encoding="utf-8") == saved
    assert problems == []
    context.close()

    assert saved.startswith(HEADER) and "  # drafted statements\n" in saved  # comments kept
    expected = draft
    for old, new in EXPECTED_EDITS:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    assert saved == expected
    people = (corpus / "reference" / "people.yaml").read_text(encoding="utf-8")
    assert people == (
        "- key: a-reader\n  type: Person\n  label: A reader\n  drafted_from:\n    article: fx-001\n    quote: a reader\n"
        "  wikidata:\n    id: Q999999999\n    status: unverified\n    checked: entered in peacekg review; not yet checked\n"
    )

    settings = settings_for(tmp_path, corpus)
    vocabulary = vocabulary_index(settings)
    assert check_corpus(load_corpus(corpus, vocabulary), vocabulary).errors == []
    build(settings)
    store = open_store(Path(settings.build_dir))
    statements = {
        str(row["s"].value)
        for row in store.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH <{BASE}graph/article/{ARTICLE}> {{ ?s ?p ?o }} "
            f"FILTER(REGEX(STR(?s), '^{BASE}article/{ARTICLE}/statement/[^/]+$')) }}"
        )
    }
    assert statements == {f"{BASE}article/{ARTICLE}/statement/{sid}" for sid in ("s1", "s2", "s4")}
    assert bool(store.query(f"ASK {{ GRAPH ?g {{ <{BASE}resource/a-reader> ?p ?o }} }}"))  # the new individual


def test_errors_are_shown_at_their_span_card_and_field(browser, review_app: str, corpus: Path) -> None:
    path = corpus / "annotations" / f"{ARTICLE}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stance: criticises", "stance: adores"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(review_app)
    card = page.locator(".card[data-section='statements'][data-index='0']")
    card.locator(".issue").wait_for()
    assert "'adores' is not in the stance scheme" in card.locator(".issue").inner_text()
    assert card.locator(".issue").get_attribute("data-field") == "stance"
    assert "1 error(s) shown at their items" in page.inner_text("#file-errors")
    card.locator("button.edit").click()
    assert "'adores'" in card.locator("form.edit .field-issue[data-field=stance]").inner_text()
    context.close()


def test_a_malformed_file_opens_read_only(browser, review_app: str, corpus: Path) -> None:
    path = corpus / "annotations" / f"{ARTICLE}.yaml"
    broken = path.read_text(encoding="utf-8").replace(
        "  - {quote: Freedonia, ref: freedonia}", "  - {quote: Freedonia, ref: freedonia"
    )
    path.write_text(broken, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(review_app)
    page.wait_for_selector("#file-errors .banner")
    banner = page.inner_text("#file-errors")
    assert "read-only" in banner and "YAML syntax error" in banner and "fx-001.yaml:" in banner
    assert "(read-only" in page.inner_text("#file-name")
    assert "Minister Ana Exempla" in page.inner_text("#article-text")  # the text is still there to read
    assert page.locator("button.accept").count() == 0
    page.keyboard.press("Control+s")
    assert path.read_text(encoding="utf-8") == broken
    context.close()


def test_offsets_count_code_points_beyond_the_basic_plane(browser, review_app: str, corpus: Path) -> None:
    """Python counts code points, the DOM UTF-16 units: with an emoji (two units) before them, a
    click still finds its span's card and a selection still gives the article's offsets."""
    txt = corpus / "articles" / f"{ARTICLE}.txt"
    meta = corpus / "articles" / f"{ARTICLE}.yaml"
    txt.write_text("🕊 " + txt.read_text(encoding="utf-8"), encoding="utf-8")
    shifted = re.sub(
        r"(start|end): (\d+)", lambda m: f"{m.group(1)}: {int(m.group(2)) + 2}", meta.read_text(encoding="utf-8")
    )
    meta.write_text(shifted, encoding="utf-8")  # the emoji lies before the first region
    text = txt.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(review_app)
    page.wait_for_selector(".card.statement")
    page.wait_for_function("document.querySelectorAll('#article-text span, #article-text div').length > 0")
    assert page.inner_text("#file-errors") == ""  # the shifted metadata and the quotes still agree
    click_text(page, text.index("Peace is near") + 1 + 3)  # +1: the emoji's second UTF-16 unit
    page.wait_for_selector(".card.current[data-section='statements'][data-index='2']")
    start = text.index("a reader")
    select_text(page, start + 1, start + 1 + len("a reader"))
    page.locator("#selection-menu").wait_for(state="visible")
    assert f"“a reader” (characters {start}–{start + 8})" in page.inner_text("#selection-menu .quote")
    context.close()


def test_accept_all_valid_with_shift_a(browser, review_app: str, corpus: Path) -> None:
    """Shift+A accepts, in one save, every draft card without an error: here all but s1 (an unknown
    stance) and s3, which names s1; a rejection made before it on the page is saved with it."""
    path = corpus / "annotations" / f"{ARTICLE}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stance: criticises", "stance: adores"), encoding="utf-8")
    draft = path.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    page.goto(review_app)
    page.wait_for_selector(".card[data-section='statements'][data-index='0'] .issue")
    assert page.locator("#accept-valid").is_enabled()
    page.locator(".card[data-section='mentions'][data-index='4'] .title").click()
    page.keyboard.press("r")  # reject the Northern Pact mention
    page.keyboard.press("Shift+A")
    page.wait_for_selector("#messages .warn:has-text('accepted')")
    assert "accepted 7 item(s) without errors" in page.inner_text("#messages")  # 4 mentions, entity, role, s2
    assert page.evaluate("window.peacekgReview.pending().length") == 0
    states = page.eval_on_selector_all(
        ".card[data-section]", "cards => cards.map(c => [c.dataset.section, c.querySelector('.state').textContent])"
    )
    drafts = [section for section, state in states if state == "draft"]
    assert drafts == ["statements", "statements"] and len(states) == 9
    assert problems == []
    context.close()
    saved = path.read_text(encoding="utf-8")
    assert "{quote: Northern Pact" not in saved
    assert saved.count("review: reviewed") == 7 and draft.count("review: reviewed") == 0
    assert "  - id: s1\n    type: Claim\n    by:" in saved and "  - id: s3\n    type: Claim\n    stance:" in saved
