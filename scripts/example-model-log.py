#!/usr/bin/env python3
"""Writes an example model_log.csv (docs/CONTRACT.md) for trying `./mlqueue evaluate`.

Two versions of a model `diabetes` answer the same 3,000 ids in shadow, one pair every 100 ms, then
800 ids in a canary (each id answered by one of them). Version 2's errors are about 15% smaller.
Python's standard library only; seeded, so the file is the same on every run.

    python3 scripts/example-model-log.py > model_log.csv
"""
import datetime
import random
import sys

rng = random.Random(12)
start = datetime.datetime(2025, 3, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)


def row(i, model, truth, pred, at):
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return f"id-{i},{model},{truth!r},{pred!r},{abs(truth - pred)!r},{stamp}"


out = sys.stdout
out.write("id,model,y_true,y_pred,absolute_error,logged_at\n")
for i in range(3800):
    truth = float(round(rng.gauss(152, 77)))
    at = start + datetime.timedelta(milliseconds=100 * i)
    champion = truth + rng.gauss(4, 58)
    challenger = truth + rng.gauss(0, 50)
    if i < 3000 or i % 2 == 0:
        out.write(row(i, "diabetes:1", truth, champion, at) + "\n")
    if i < 3000 or i % 2 == 1:
        out.write(row(i, "diabetes:2", truth, challenger, at + datetime.timedelta(milliseconds=3)) + "\n")
