"""The road not taken: a small classifier trained on half the labelled replies.

Run: .venv/bin/python -m benchmarks.classifier   (needs scikit-learn, which the bot does not)

TF-IDF of words and word pairs, plus the sender's role, into a logistic regression, trained
on the "tuned" half of the corpus (by a hash of the id) and scored on the other half and on
the fresh set, with the same dangerous-error count as the rules. It is here so the choice of
rules over a classifier can be checked again as the corpus grows.
"""

from __future__ import annotations

import sys

from benchmarks.replies import DOMAIN, FRESH, Item, dangerous, load
from bot.core.replies.model import Intent


def _text(item: Item) -> str:
    return f"role_{item.role.value} {item.text}"


def main() -> int:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
    except ImportError:
        print("scikit-learn is not installed: pip install scikit-learn")
        return 1
    items = load(DOMAIN)
    train = [item for item in items if item.tuned]
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, C=10.0),
    )
    model.fit([_text(item) for item in train], [item.intent.value for item in train])
    for title, test in (
        ("corpus, untuned half", [item for item in items if not item.tuned]),
        *((f"fresh set {n}", load(path)) for n, path in enumerate(FRESH, 1)),
    ):
        read = [Intent(value) for value in model.predict([_text(item) for item in test])]
        right = sum(r is item.intent for r, item in zip(read, test, strict=True))
        danger = sum(dangerous(item.intent, r) for r, item in zip(read, test, strict=True))
        hard = [(r, item) for r, item in zip(read, test, strict=True) if item.hard]
        hard_right = sum(r is item.intent for r, item in hard)
        print(
            f"{title}: {right}/{len(test)} ({right / len(test):.1%}), hard "
            f"{hard_right}/{len(hard)}, dangerous errors {danger}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
