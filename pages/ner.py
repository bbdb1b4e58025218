"""NER tagging: one-hot words into a uni- or bidirectional RNN that tags every word, trained live on Wikipedia text."""

import numpy as np
import pandas as pd
import streamlit as st

from playground import ner, ner_data, text, ui
from playground.figures import ner as figures

SCHEME_NAMES = {"bio": "BIO tags, 4 types", "binary": "name or not: 1 / 0"}
INPUT_NAMES = {"one_hot": "one-hot", "embedding": "learned embedding"}
CASE_NAMES = {"features": "lowercase words + 3 case features", "as_written": "words as written (no case features)"}
SPLIT_NAMES = {"dev": "dev (502 sentences)", "test": "test (304 sentences)"}
HARRY = "Harry Potter and Hermione Granger invented a new spell."
HARRY_TAGS = ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "O", "O", "O", "O"]  # the course's y = 1 1 0 1 1 0 0 0 0
LIMITS = ner.LIMITS
ONE_HOT_ROWS = 20

ui.use_app_menu()
st.title("NER: a tag for every word")
first_screen = ui.under_title()
ui.explain(
    "Many-to-many with T_x = T_y: for every word x⟨t⟩ (a one-hot vector over a vocabulary with ⟨unk⟩) the RNN "
    "outputs ŷ⟨t⟩, *is this word part of a name, and of what kind?* A **bidirectional** RNN also reads from the "
    "right: “Teddy” is a name in “Teddy Roosevelt”, not in “Teddy bears”."
)


@st.cache_resource(show_spinner=False)
def corpus(split: str) -> ner_data.Corpus:
    return ner_data.load_corpus(split)


@st.cache_resource(max_entries=8, show_spinner=False)
def vocabulary(size: int, lowercase: bool) -> text.Vocabulary:
    return text.Vocabulary.build(corpus("train").sentences, size=size, lowercase=lowercase)


@st.cache_data(max_entries=2, show_spinner=False)
def unknown_shares(lowercase: bool) -> tuple[np.ndarray, np.ndarray]:
    low, high, _ = LIMITS["vocabulary_size"]
    sizes = np.unique(np.geomspace(low, high, 30).astype(int))
    return sizes, ner.unknown_share(corpus("train").sentences, corpus("dev").sentences, sizes, lowercase)


# --------------------------------------------------------------------------- settings
a, b, c, d = st.columns([1.25, 1.1, 1, 0.9], vertical_alignment="bottom")
scheme = ui.kept_selectbox(a, "Labels y⟨t⟩", list(SCHEME_NAMES), "ner_scheme", "bio", format_func=SCHEME_NAMES.get)
model = ui.kept_selectbox(b, "Model", list(ner.MODELS), "ner_model", "bilstm", format_func=lambda k: ner.MODELS[k][2])
input_kind = ui.kept_selectbox(c, "Input x⟨t⟩", list(INPUT_NAMES), "ner_input", "one_hot", format_func=INPUT_NAMES.get)


def _limited(key, name):
    low, high, default = LIMITS[name]
    return ui.kept(key, default, lambda v: low <= v <= high)


with d.popover("Settings", icon=":material/tune:", width="stretch"):
    vocabulary_size = st.slider("Vocabulary size |V| (most frequent training words)", *LIMITS["vocabulary_size"][:2],
                                step=100, **_limited("ner_vocab", "vocabulary_size"))
    embedding_size = st.slider("Embedding size d", *LIMITS["embedding_size"][:2], disabled=input_kind == "one_hot",
                               help="Only for the learned embedding: each word becomes d numbers, learned in training.",
                               **_limited("ner_embedding", "embedding_size"))
    hidden_size = st.slider("Hidden units n_a (per direction)", *LIMITS["hidden_size"][:2],
                            **_limited("ner_hidden", "hidden_size"))
    epochs = st.slider("Epochs", *LIMITS["epochs"][:2], help=f"Passes over the {len(corpus('train')):,} training "
                       f"sentences (Adam, lr 0.01, mini-batches of {ner.BATCH_SIZE} sentences of similar length).",
                       **_limited("ner_epochs", "epochs"))
    case = st.radio("Case", list(CASE_NAMES), format_func=CASE_NAMES.get,
                    **ui.kept("ner_case", "features", lambda v: v in CASE_NAMES))
    st.caption("Why lowercase + case features: a one-hot vector of the word as written makes “Apple” and “apple” "
               "two unrelated words and turns every unknown word into the same ⟨unk⟩, whether it is “zebra” or "
               "“Zelensky”. Lowercased, the vocabulary covers more words, and three extra numbers in x⟨t⟩ keep what "
               "case says: starts with a capital, all capitals, has a digit. Try both.")
    seed = st.number_input("Seed", *LIMITS["seed"][:2], step=1, **_limited("ner_seed", "seed"))

settings = ner.Settings(model=model, scheme=scheme, input=input_kind, vocabulary_size=int(vocabulary_size),
                        embedding_size=int(embedding_size), hidden_size=int(hidden_size), case=case,
                        epochs=int(epochs), seed=int(seed))
words = vocabulary(settings.vocabulary_size, case == "features")
labels = ner_data.SCHEMES[scheme]
parts = ner.parameter_count(settings, len(words), len(labels))
other_input = ner.Settings(**{**settings.__dict__, "input": "embedding" if input_kind == "one_hot" else "one_hot"})
other_count = sum(ner.parameter_count(other_input, len(words), len(labels)).values())


def trained(s: ner.Settings, button: str):
    def train(progress):
        training = corpus("train")
        return ner.train_tagger(training.sentences, training.tags, progress=progress, **s.__dict__)

    return ui.trained(("ner",) + s.key(), train, button=button, label=f"Training the {ner.MODELS[s.model][2]}")


@st.cache_resource(max_entries=16, show_spinner=False)
def evaluation(key: tuple, split: str, _tagger: ner.Tagger) -> ner.Evaluation:
    return ner.evaluate(_tagger, corpus(split), split)


title = ner.MODELS[model][2]
too_big = sum(parts.values()) > ner.MAX_PARAMETERS
button_column, message_column = st.columns([1.4, 2.6], vertical_alignment="center")
with button_column:
    tagger = None if too_big else trained(settings, f"Train the {title}")
if too_big:
    message_column.warning(f"These settings make **{sum(parts.values()):,} parameters**, more than the "
                           f"{ner.MAX_PARAMETERS:,} this playground trains (every trained model stays in the shared "
                           "server's memory). Choose a smaller vocabulary, fewer hidden units n_a, or a learned "
                           "embedding.")
elif tagger is None:
    message_column.info(f"**Press “Train the {title}”**: {settings.epochs} epochs over {len(corpus('train')):,} "
                        "Wikipedia sentences, seconds on a quiet server, kept for everyone with the same settings. "
                        "Until then: words and vocabulary, no tags.")
else:
    dev = evaluation(settings.key(), "dev", tagger)
    columns = st.columns(4)
    columns[0].metric("Entity F1 (dev)", f"{dev.scores['all'].f1:.2f}",
                      help=f"Entities with the right type and both boundaries, on {len(dev.gold)} held-out sentences.")
    columns[1].metric("Token accuracy (dev)", f"{dev.accuracy:.1%}",
                      help="Share of tokens with the right tag; most tokens are O, so this is always high.")
    columns[2].metric("Parameters", f"{sum(parts.values()):,}",
                      help=f"With {INPUT_NAMES[other_input.input]} input it would be {other_count:,}.")
    columns[3].metric("Training time", f"{tagger.history.seconds:.1f} s", help=f"{settings.epochs} epochs")

# --------------------------------------------------------------------------- the user's sentence
sentence = st.text_input("Type your own sentence", max_chars=4 * text.MAX_TEXT_CHARS,
                         **ui.kept("ner_text", HARRY, lambda v: isinstance(v, str)))
tokens, cut_note = text.cut(sentence)
if cut_note:
    st.info(cut_note)
unknown = words.unknown(tokens)
if not tokens:
    st.info("Type a sentence above: its words are tagged here.")
else:
    probabilities = predicted = None
    if tagger is not None:
        probabilities, predicted = ui.built_once(("tags", settings.key(), tuple(tokens)),
                                          lambda: (tagger.predict_proba(tokens), tagger.predict(tokens)))
    with ui.main_figure(first_screen):
        st.html(figures.entity_html(tokens, predicted, unknown, probabilities, labels))
        st.html(figures.legend_html(scheme))
    if tagger is not None:
        ui.plot(ui.built_once(("probabilities", settings.key(), tuple(tokens)),
                       lambda: figures.probability_figure(tokens, probabilities, labels, unknown)),
                key="ner_probabilities")
        st.caption("Hover a word above (or a cell here) for its probabilities. The tag of each word is the most "
                   "probable one, chosen word by word: it can even be an I- tag with no B- before it, which is "
                   "read as the start of a name (as the CoNLL scorer does).")

# --------------------------------------------------------------------------- the lessons
why_tab, evaluation_tab, vectors_tab, labels_tab, data_tab = st.tabs(
    ["Why bidirectional", "Evaluation", "Words → vectors", "Two labelings", "The data"])

with why_tab:
    pairs = ner_data.RIGHT_CONTEXT_PAIRS
    choice = st.pills("Pairs of sentences that only the right context tells apart", list(range(len(pairs))),
                      format_func=lambda i: pairs[i].title,
                      **ui.kept("ner_pair", 0, lambda v: v is None or 0 <= v < len(pairs)))
    choice = 0 if choice is None else choice
    pair = pairs[choice]
    counterpart = ner.COUNTERPART[model]
    uni_key, bi_key = (counterpart, model) if settings.bidirectional else (model, counterpart)
    other = ner.Settings(**{**settings.__dict__, "model": counterpart})
    st.markdown(f"1. {ui.escape_markdown(' '.join(pair.first[0]))}\n"
                f"2. {ui.escape_markdown(' '.join(pair.second[0]))}\n\n"
                f"Up to “{ui.escape_markdown(pair.word)}” both sentences are the same. It is part of a name in "
                f"sentence {1 + [tags[pair.position] != 'O' for _, tags in (pair.first, pair.second)].index(True)} "
                "only, and only the words after it say so.")
    if tagger is None:
        st.info(f"Train the {title} above first; then train the {ner.MODELS[counterpart][2]} here to compare.")
    elif sum(ner.parameter_count(other, len(words), len(labels)).values()) > ner.MAX_PARAMETERS:
        st.warning(f"The {ner.MODELS[counterpart][2]} would have more than {ner.MAX_PARAMETERS:,} parameters with "
                   "these settings: choose a smaller vocabulary or fewer hidden units to compare.")
    else:
        other_tagger = trained(other, f"Train the {ner.MODELS[counterpart][2]} too (same settings)")
        if other_tagger is None:
            st.caption(f"The comparison needs the {ner.MODELS[counterpart][2]} as well, trained with the same "
                       "settings.")
        else:
            taggers = {model: tagger, counterpart: other_tagger}
            uni, bi = taggers[uni_key], taggers[bi_key]
            uni_title, bi_title = ner.MODELS[uni_key][2], ner.MODELS[bi_key][2]
            both = ("pair", settings.key(), other.key(), choice)
            p = ui.built_once(both, lambda: {
                t: tuple(ner.name_probability(taggers[k], list(s[0])) for s in (pair.first, pair.second))
                for k, t in ((uni_key, f"{uni_title}: reads left → right"), (bi_key, f"{bi_title}: reads both ways"))})
            shown = min(len(pair.first[0]), len(pair.second[0]))
            current = st.select_slider("Current token t", list(range(shown)), format_func=lambda t: f"{t + 1}: "
                                       f"{pair.first[0][t]} / {pair.second[0][t]}",
                                       **ui.kept(f"ner_token_{choice}", pair.position, lambda v: 0 <= v < shown))
            ui.plot(ui.built_once(both + (current,), lambda: figures.context_figure(pair, p, current)), key="ner_context")
            st.caption("Bars: P(part of a name) for every word; red = part of a name in the gold labels, blue = not. "
                       "Above the dotted line the word is tagged as (part of) a name.")
            uni_p, bi_p = (tuple(float(sentence[pair.position]) for sentence in model_p) for model_p in p.values())
            st.markdown(ner.context_reading(pair, uni_p, bi_p, uni_title, bi_title))
            states = ui.built_once(both + ("states",), lambda: [bi.hidden_states(list(s[0])) for s in (pair.first, pair.second)])
            st.markdown(f"**The {bi_title}'s two hidden states at t = {current + 1}**: a→⟨t⟩ has read words 1 … t "
                        f"from the left, a←⟨t⟩ words T … t from the right; ŷ⟨t⟩ = softmax(W_ya [a→⟨t⟩; a←⟨t⟩] + b_y).")
            ui.plot(ui.built_once(both + ("states", current), lambda: figures.states_figure(
                [list(pair.first[0]), list(pair.second[0])], states, current)), key="ner_states")
            forward_gap = float(np.abs(states[0][0][current] - states[1][0][current]).max())
            backward_gap = float(np.abs(states[0][1][current] - states[1][1][current]).max())
            st.caption(f"Largest difference between the two sentences at t = {current + 1}: a→ {forward_gap:.3f}, "
                       f"a← {backward_gap:.3f}. "
                       + ("a→ is the same in both: it has read the same words so far, so only a← can tell the "
                          "sentences apart here." if forward_gap < 1e-6 else
                          "a→ differs too: it has already read a word that is not the same in both sentences."))
            uni_accuracy, bi_accuracy, moved = ui.built_once(("pairs", settings.key(), other.key()), lambda: (
                ner.right_context_accuracy(uni), ner.right_context_accuracy(bi), ner.right_context_moves(bi)))
            st.markdown(f"**Over all {len(pairs)} pairs** ({2 * len(pairs)} ambiguous words): the {uni_title} is right "
                        f"on {uni_accuracy:.0%} (it must give both sentences of a pair the same answer), the "
                        f"{bi_title} on {bi_accuracy:.0%}; the right context raised its P(name) where the word is a "
                        f"name in {int(np.sum(moved > 0))} of {len(pairs)} pairs.")

with evaluation_tab:
    if tagger is None:
        st.info("Train a model above to evaluate it on the held-out sentences.")
    else:
        split = st.radio("Held-out split", list(SPLIT_NAMES), format_func=SPLIT_NAMES.get, horizontal=True,
                         **ui.kept("ner_split", "dev", lambda v: v in SPLIT_NAMES))
        result = evaluation(settings.key(), split, tagger)
        scores = result.scores
        st.markdown(f"**Token accuracy {result.accuracy:.1%}, entity F1 {scores['all'].f1:.2f}** "
                    f"(precision {scores['all'].precision:.2f}, recall {scores['all'].recall:.2f}) on "
                    f"{len(result.gold)} sentences from articles the model never saw. An entity counts only if its "
                    "type and both boundaries are right (the CoNLL way): “the United States” found as “United "
                    "States” is one miss and one false alarm.")
        table = ui.built_once(("table", settings.key(), split), lambda: pd.DataFrame([{
            "type": "all types" if k == "all" else f"{k} ({ner_data.TYPE_NAMES[k]})", "precision": v.precision,
            "recall": v.recall, "F1": v.f1, "gold entities": v.support, "predicted": v.predicted, "correct": v.correct}
            for k, v in scores.items()]).set_index("type"))
        left, right = st.columns([1, 1.3])
        with left:
            ui.plot(ui.built_once(("scores", settings.key(), split), lambda: figures.scores_figure(scores)), key="ner_scores")
        with right:
            st.dataframe(table, width="stretch", column_config={
                name: st.column_config.NumberColumn(format="%.2f") for name in ("precision", "recall", "F1")})
        ui.plot(ui.built_once(("confusion", settings.key(), split),
                       lambda: figures.confusion_figure(result.confusion, result.labels)), key="ner_confusion")
        held_out = corpus(split)
        if scheme == "bio":
            mixed = ner_data.confused_words(held_out.sentences, result.gold, result.predicted, ("LOC", "MISC"))
            common = ", ".join(f"“{ui.escape_markdown(word)}” ({count})" for word, count in mixed.most_common(5))
            st.caption(f"Rows: the gold tag; columns: the model's. Tokens where location and other name were mixed "
                       f"up: {sum(mixed.values())}" + (f"; most often {common}." if common else ".") + " In this corpus "
                       "(from DocRED) a nationality word often carries its country's type: “German” is LOC 44 times "
                       "and MISC 6 times in training, where CoNLL-2003 would always say MISC. Spans may also start with "
                       "“the” (“the United States”).")
        st.subheader("The sentences it gets most wrong")
        for i in result.worst:
            unk = words.unknown(held_out.sentences[i])
            st.markdown(f"**{ner_data.entity_errors(result.gold[i], result.predicted[i])} entity errors** · from "
                        f"“{ui.escape_markdown(held_out.articles[i])}”")
            st.html(figures.entity_html(held_out.sentences[i], result.gold[i], unk, size=1.05, caption="GOLD"))
            st.html(figures.entity_html(held_out.sentences[i], result.predicted[i], unk, size=1.05, caption="MODEL"))

with vectors_tab:
    st.markdown(f"The vocabulary holds the **{len(words) - 1:,} most frequent words** of the training sentences"
                f"{' (lowercased)' if case == 'features' else ''} plus ⟨unk⟩ at index 0, for every other word. "
                f"A word's one-hot vector x⟨t⟩ has {len(words):,} entries: a 1 at the word's index, 0 elsewhere.")
    if tokens:
        first = tokens[:ONE_HOT_ROWS]
        indices = words.encode(first)
        ui.plot(ui.built_once(("one_hot", len(words), case, tuple(first)),
                       lambda: figures.one_hot_figure(first, indices, len(words))), key="ner_one_hot")
        if len(tokens) > ONE_HOT_ROWS:
            st.caption(f"The first {ONE_HOT_ROWS} of your {len(tokens)} words.")
        st.caption(f"{sum(unknown)} of your {len(tokens)} words are not in the vocabulary and become ⟨unk⟩ (red, "
                   "index 0): the network sees them all as the same word" + (" (only their case features differ)."
                                                                            if case == "features" else "."))
    sizes, shares = unknown_shares(case == "features")
    ui.plot(ui.built_once(("coverage", len(words), case), lambda: figures.coverage_figure(sizes, shares, len(words))),
            key="ner_coverage")
    st.caption("Share of the dev sentences' words that fall outside the vocabulary, by vocabulary size. Wikipedia is "
               "full of rare names: even every training word leaves many held-out words ⟨unk⟩, which is why the case "
               "features matter.")
    st.markdown("**What the input costs in parameters** (your settings; n_x is the length of x⟨t⟩)")
    def parameter_table() -> pd.DataFrame:
        rows = []
        for kind in ner.INPUTS:
            counted = ner.parameter_count(ner.Settings(**{**settings.__dict__, "input": kind}), len(words), len(labels))
            rows.append({"input": INPUT_NAMES[kind], **counted, "total": sum(counted.values())})
        return pd.DataFrame(rows).set_index("input").fillna(0).astype(int)

    st.dataframe(ui.built_once(("parameters", settings.key()), parameter_table), width="stretch")
    directions = 2 if settings.bidirectional else 1
    gates = ner.GATES[settings.cell]
    st.caption(f"One-hot: W_ax has one column per word, {gates} × {settings.hidden_size} × {directions} = "
               f"{gates * settings.hidden_size * directions} numbers for each of the {len(words):,} words. A learned "
               f"embedding stores d = {settings.embedding_size} numbers per word and a much smaller W_ax. Multiplying "
               "W_ax by a one-hot vector just picks the word's column, so the code looks the column up instead of "
               "multiplying by thousands of zeros (same numbers). PyTorch keeps two bias vectors, b_ih + b_hh, where "
               "the course has one b_a; the counts are those of the real torch modules.")

with labels_tab:
    st.markdown("The corpus is labeled with **BIO tags**: B-X begins a name of type X, I-X continues it, O is outside "
                "every name. The course's simpler labels y⟨t⟩ come from them: 1 for every B-X or I-X, 0 for O. "
                "Pick the labels the model learns at the top of the page. The course's example, labeled by hand:")

    def labeling_table(tokens, tags) -> pd.DataFrame:
        return pd.DataFrame({"x⟨t⟩": tokens, "BIO tag": tags, "y⟨t⟩ (part of a name)": ner_data.binary_labels(tags)},
                            index=pd.RangeIndex(1, len(tags) + 1, name="t")).T

    st.dataframe(labeling_table(text.tokenize(HARRY), HARRY_TAGS), width="stretch")
    example = corpus("train")
    number, _ = st.columns([1, 3])
    index = number.number_input("A training sentence, no.", 1, len(example), step=1,
                                **ui.kept("ner_example", 9, lambda v: 1 <= v <= len(example))) - 1
    tags = example.tags[index]
    st.html(figures.entity_html(example.sentences[index], tags, words.unknown(example.sentences[index]), size=1.1))
    st.dataframe(labeling_table(example.sentences[index], tags), width="stretch")
    st.caption(f"From the Wikipedia article “{ui.escape_markdown(example.articles[index])}” (CC BY-SA).")

with data_tab:
    train, dev_corpus, test_corpus = corpus("train"), corpus("dev"), corpus("test")
    st.markdown(
        f"**{len(train):,} training sentences** ({train.n_tokens():,} tokens), {len(dev_corpus)} dev and "
        f"{len(test_corpus)} test sentences, from the lead sections of English Wikipedia articles, split by article "
        "(no article is in two splits). The names were marked by people for DocRED (Yao et al., 2019) and revised "
        "in Re-DocRED (Tan et al., 2022); dates and numbers are O here. Text: Wikipedia, CC BY-SA; annotations: "
        "MIT. Details in `sample_data/ner/SOURCE.md` and `LICENSE`.\n\n"
        "Quirks you will see: nationality words often carry the country's type (“American” is LOC 86 times, MISC 10 "
        "and ORG 12 in training), spans can start with “the” and event names can include a year "
        "(“2002 Winter Olympics”), and some non-Latin text was removed, leaving gaps such as “known in Japan as , is”."
    )
    counts = ui.built_once(("counts", len(train)), lambda: pd.DataFrame({
        split: {kind: sum(tag == f"B-{kind}" for tags in c.tags for tag in tags) for kind in ner_data.TYPES}
        for split, c in (("train", train), ("dev", dev_corpus), ("test", test_corpus))}))
    st.dataframe(counts.rename(index=lambda k: f"{k} ({ner_data.TYPE_NAMES[k]})"), width="stretch")
