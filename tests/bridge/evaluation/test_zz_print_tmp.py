import pytest
from tests.bridge.evaluation.evalset import build, evaluate
from zhizao.bridge.matching import rank

def test_print(plan):
    loaded = build()
    ev = evaluate(loaded, rank)
    keys = loaded.key_of()
    print(f"\nP@5 {ev.precision_at_5:.3f} nDCG@10 {ev.ndcg_at_10:.3f}")
    for k, (p, n) in ev.per_need.items():
        got = [keys.get(e, "?") + ("*" if e in loaded.relevant[k] else "") for e in ev.rankings[k]]
        print(k, f"{p:.2f} {n:.2f}", " ".join(got))
