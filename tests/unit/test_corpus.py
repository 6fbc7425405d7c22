"""The real-conversation corpus: every file present is well formed, big enough and unseen."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ops.replay_corpus import (
    CASE_FIELDS,
    CORPUS_DIR,
    FLOWS,
    HELDOUT_DIR,
    MIN_CONVERSATIONS,
    MIN_FIRST_MESSAGES,
    QUESTIONS,
    CorpusError,
    corpus_files,
    fold,
    load_corpus,
    training_examples,
    training_overlaps,
)

MAIN_FILES = corpus_files()
FILES = {f"{folder.name}/{lang}": path
         for folder in (CORPUS_DIR, HELDOUT_DIR)
         for lang, path in corpus_files(folder=folder).items()}


def test_the_corpus_covers_at_least_english_spanish_and_french():
    assert {"en", "es", "fr"} <= set(MAIN_FILES)


@pytest.mark.parametrize("path", FILES.values(), ids=FILES.keys())
def test_each_corpus_file_is_well_formed_and_big_enough(path: Path):
    corpus = load_corpus(path)
    assert len(corpus.first_messages) >= MIN_FIRST_MESSAGES
    assert len(corpus.conversations) >= MIN_CONVERSATIONS
    kinds = [c.kind for c in corpus.conversations]
    assert kinds.count("intake") >= 7 and kinds.count("script") >= 3
    ids = [c.id for c in corpus.conversations]
    assert len(ids) == len(set(ids))
    for conversation in corpus.conversations:
        assert set(conversation.answers) <= set(QUESTIONS)
        assert set(conversation.asides) <= set(conversation.answers)
        assert set(conversation.expect) <= set(CASE_FIELDS)
    assert {m.flow for m in corpus.first_messages} <= set(FLOWS)
    texts = [fold(m.text) for m in corpus.first_messages]
    assert len(texts) == len(set(texts)), "a first message is there twice"


@pytest.mark.parametrize("path", FILES.values(), ids=FILES.keys())
def test_no_corpus_message_occurs_in_the_training_data(path: Path):
    corpus = load_corpus(path)
    assert training_examples(corpus.language), "the training data was not read"
    assert training_overlaps(corpus) == []


def _write(folder: Path, data: dict) -> Path:
    path = folder / f"{data['language']}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def _corpus(**changes: object) -> dict:
    intake = {"id": "en-01", "kind": "intake", "opening": "we need a loan for our bakery",
              "answers": {"consent": "yes", "org_name": "Bread Coop"}, "confirm": "yes",
              "expect": {"need_category": "funding", "amount": 5000}}
    script = {"id": "en-02", "kind": "script",
              "steps": [{"user": "how much is it?", "expect": {"not_fallback": True}}]}
    data = {"language": "en",
            "first_messages": [{"text": "hi, we want a loan", "flow": "funding",
                                "names_need": True}],
            "conversations": [intake, script]}
    data.update(changes)
    return data


def test_a_good_file_loads_into_typed_entries(tmp_path):
    corpus = load_corpus(_write(tmp_path, _corpus()))
    assert corpus.first_messages[0].names_need is True
    intake, script = corpus.conversations
    assert intake.answers == {"consent": "yes", "org_name": "Bread Coop"}
    assert intake.expect["amount"] == 5000
    assert script.steps[0].expect.not_fallback is True and script.steps[0].expect.flow is None
    assert script.after == ""
    data = _corpus()
    data["conversations"][1]["after"] = "en-01"
    assert load_corpus(_write(tmp_path, data)).conversations[1].after == "en-01"


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["conversations"][0]["answers"].update(favourite_colour="blue"),
     "conversations[0] (en-01).answers: unknown key 'favourite_colour'"),
    (lambda d: d["conversations"][0]["expect"].update(budget=3),
     "conversations[0] (en-01).expect: unknown key 'budget'"),
    (lambda d: d["first_messages"][0].update(flow="loans"),
     "first_messages[0]: flow 'loans' is not one of"),
    (lambda d: d["conversations"][1].update(id="en-01"), "(en-01): id used twice"),
    (lambda d: d["conversations"][1].update(id="es-02"), "id 'es-02' must be en-NN"),
    (lambda d: d["conversations"][0]["expect"].update(country="Spain"),
     "expect.country must be an ISO alpha-2 code"),
    (lambda d: d["conversations"][0]["expect"].update(amount="5k"),
     "expect.amount must be a number"),
    (lambda d: d["conversations"][0].pop("confirm"), "needs 'confirm'"),
    (lambda d: d["conversations"][1]["steps"][0]["expect"].update(flow="nope"),
     "steps[0]: flow 'nope'"),
    (lambda d: d.update(language="fr"), "language: 'fr' must be the file's name"),
    (lambda d: d["conversations"][1].update(after="en-07"),
     "(en-02): after 'en-07' must name an intake above it"),
    (lambda d: d["conversations"][1].update(opening="hi"), "a script has only steps"),
])
def test_a_broken_entry_is_named_with_its_file(tmp_path, change, message):
    data = _corpus()
    change(data)
    path = tmp_path / "en.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(CorpusError) as raised:
        load_corpus(path)
    assert str(path) in str(raised.value) or "en.yml" in str(raised.value)
    assert message in str(raised.value)


def test_overlap_with_the_training_data_is_found_after_folding(tmp_path):
    (tmp_path / "nlu" / "en").mkdir(parents=True)
    (tmp_path / "nlu" / "en" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: need_funding\n  examples: |\n'
        "    - We need a [loan](need_category) for our Bakery!\n", "utf-8")
    data = _corpus()
    data["conversations"][0]["opening"] = "we need a loan for our bakery"
    corpus = load_corpus(_write(tmp_path, data))
    assert training_overlaps(corpus, tmp_path) == ["we need a loan for our bakery"]


def test_folding_ignores_case_accents_and_punctuation():
    assert fold("¿Qué  significa FASE del proyecto?") == fold("que significa fase del proyecto")


def test_the_replay_command_refuses_a_corpus_that_repeats_the_training_data(tmp_path):
    from ops.paths import project_root
    from ops.replay_cli import main

    trained = yaml.safe_load((project_root() / "nlu" / "en" / "nlu.yml").read_text("utf-8"))
    example = next(line[2:] for block in trained["nlu"] if block.get("intent") == "greet"
                   for line in block["examples"].splitlines() if line.startswith("- "))
    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder, _corpus(first_messages=[{"text": example, "flow": "greeting"}]))
    report = tmp_path / "report.md"
    # Refused before anything is reached: the URLs lead nowhere.
    assert main(["--url", "http://127.0.0.1:9", "--rasa-url", "http://127.0.0.1:9",
                 "--corpus", str(folder), "--report", str(report)]) == 2
    assert not report.exists()
