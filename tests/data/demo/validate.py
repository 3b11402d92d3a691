#!/usr/bin/env python3
"""Consistency checks for tests/data/demo (Python 3.11 standard library only).

Independent of generate.py: re-implements the filter rules from README.md and checks
events.jsonl / events.sse.txt / wiki-api.jsonl / labels.jsonl / expected.json against each other.
Exit status 0 = all good.
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.environ.get("WM_REFERENCE_DIR", "/work/shared/reference/wikimedia")
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def read_lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        data = f.read()
    check(data.endswith("\n"), f"{name}: no trailing newline")
    return data[:-1].split("\n")


expected = json.load(open(os.path.join(HERE, "expected.json"), encoding="utf-8"))
ev_lines = read_lines("events.jsonl")
check(len(ev_lines) == expected["events"], f"events: {len(ev_lines)} lines, expected {expected['events']}")

# 1. every line parses except the malformed one
parsed = []
for n, line in enumerate(ev_lines, 1):
    try:
        parsed.append(json.loads(line))
    except json.JSONDecodeError:
        parsed.append(None)
        check(n == expected["bad_lines"]["malformed_json"], f"events.jsonl line {n} does not parse")
check(parsed[expected["bad_lines"]["malformed_json"] - 1] is None, "malformed line parses")

# 2. filter rules, re-implemented
SCHEMA = re.compile(r"^/mediawiki/(page/change|recentchange)/(\d+)\.\d+\.\d+$")
PC_REQ = ["$schema", "changelog_kind", "dt", "meta", "page", "page_change_kind", "revision", "wiki_id"]
seen, outcome = set(), []
for ev in parsed:
    if ev is None:
        outcome.append(("dead", "malformed_json", None)); continue
    m = SCHEMA.match(ev.get("$schema") or "")
    if "$schema" not in ev or "meta" not in ev or "stream" not in ev["meta"]:
        outcome.append(("dead", "missing_field", None)); continue
    if not m or m.group(2) != "1":
        outcome.append(("dead", "unsupported_schema", None)); continue
    pc = m.group(1) == "page/change"
    if pc and (any(k not in ev for k in PC_REQ) or "rev_id" not in ev["revision"] or "page_id" not in ev["page"]):
        outcome.append(("dead", "missing_field", None)); continue
    if not pc and "dt" not in ev["meta"]:
        outcome.append(("dead", "missing_field", None)); continue
    if ev["meta"].get("domain") == "canary":
        outcome.append(("skip", "canary", None)); continue
    key = (ev["wiki_id"], ev["revision"]["rev_id"]) if pc else (ev.get("wiki"), (ev.get("revision") or {}).get("new"))
    if key[1] is not None:
        if key in seen:
            outcome.append(("skip", "duplicate", key)); continue
        seen.add(key)
    if (ev["page_change_kind"] not in ("edit", "create")) if pc else (ev.get("type") not in ("edit", "new")):
        outcome.append(("skip", "kind", key)); continue
    if (ev["page"].get("namespace_id") if pc else ev.get("namespace")) != 0:
        outcome.append(("skip", "namespace", key)); continue
    if ((ev.get("performer") or {}).get("is_bot") is True) if pc else ev.get("bot") is True:
        outcome.append(("skip", "bot", key)); continue
    outcome.append(("enrich", None, key))

c = Counter((a, b) for a, b, _ in outcome)
for k, v in expected["skipped"].items():
    check(c[("skip", k)] == v, f"skipped.{k}: got {c[('skip', k)]}, expected {v}")
for k, v in expected["dead_lettered"].items():
    check(c[("dead", k)] == v, f"dead_lettered.{k}: got {c[('dead', k)]}, expected {v}")
check(c[("enrich", None)] == expected["to_enrich"], f"to_enrich: got {c[('enrich', None)]}, expected {expected['to_enrich']}")
for name, line in expected["bad_lines"].items():
    check(outcome[line - 1][1] == name, f"bad line {line}: got {outcome[line - 1]}, expected {name}")
for d in expected["duplicate_lines"]:
    check(ev_lines[d["line"] - 1] == ev_lines[d["duplicate_of"] - 1], f"line {d['line']} is not an exact replay")
    check(outcome[d["line"] - 1][1] == "duplicate" and outcome[d["duplicate_of"] - 1][0] == "enrich", f"duplicate pair {d}")
skips = sum(expected["skipped"].values())
check(skips / expected["events"] >= 0.15, f"skips only {skips}")
n_rc = sum(1 for ev in parsed if ev and "recentchange" in ev.get("$schema", ""))
check(0.2 <= n_rc / len(parsed) <= 0.3, f"recentchange share {n_rc}/{len(parsed)}")

# 3. wiki-api: exactly one line per to-enrich event
DOMAIN = {}
for ev in parsed:
    if ev and ev.get("meta", {}).get("domain") not in (None, "canary"):
        DOMAIN[ev.get("wiki_id") or ev.get("wiki")] = ev["meta"]["domain"]
api = [json.loads(x) for x in read_lines("wiki-api.jsonl")]
api_keys = Counter()
api_by_key = {}
for a in api:
    check(a["status"] == 200, f"api status {a}")
    if a["action"] == "compare":
        k = (a["domain"], a["torev"])
        b = a["body"]
        if "compare" in b:
            comp = b["compare"]
            check(comp["torevid"] == a["torev"] and comp["fromrevid"] == a["fromrev"], f"compare ids mismatch {k}")
            html_ = comp.get("body", comp.get("*"))
            check(isinstance(html_, str) and html_.count("<tr>") + html_.count("<tr ") == html_.count("</tr>"), f"unbalanced rows {k}")
            for cell in re.findall(r"<div>(.*?)</div>", html_, re.S):
                stripped = re.sub(r"</?(ins|del|span|a|b|br|table|tr|th|td)\b[^>]*>", "", cell)
                check("<" not in stripped, f"unescaped '<' in diff cell {k}: {cell[:80]}")
        else:
            check("error" in b, f"compare without compare/error {k}")
    else:
        check(a["action"] == "query" and len(a["revids"]) == 1, f"bad query line {a}")
        k = (a["domain"], a["revids"][0])
        if "query" in b if False else True:
            b = a["body"]
            pages = b["query"]["pages"]
            check(pages[0]["revisions"][0]["revid"] == a["revids"][0] and pages[0]["revisions"][0]["parentid"] == 0, f"query ids {k}")
    api_keys[k] += 1
    api_by_key[k] = a
enrich_keys = [(DOMAIN.get(key[0], {"testwikidatawiki": "test.wikidata.org"}.get(key[0])), key[1]) for o, _, key in outcome if o == "enrich"]
for k in enrich_keys:
    check(api_keys[k] == 1, f"to-enrich {k} has {api_keys[k]} wiki-api lines")
check(sum(api_keys.values()) == len(enrich_keys), f"wiki-api has {sum(api_keys.values())} lines for {len(enrich_keys)} to-enrich events")
# creations use query, edits compare
for (o, _, key), ev in zip(outcome, parsed):
    if o != "enrich":
        continue
    is_create = ev.get("page_change_kind") == "create" or ev.get("type") == "new"
    a = api_by_key[(DOMAIN.get(key[0], "test.wikidata.org"), key[1])]
    check(a["action"] == ("query" if is_create else "compare"), f"{key}: action {a['action']} for create={is_create}")

# 4. faults and labels
fault_keys = set()
for kind, lst in expected["fault_revisions"].items():
    check(len(lst) == expected["enrich_skips"][kind], f"enrich_skips.{kind}")
    for f in lst:
        fault_keys.add((f["wiki"], f["rev_id"]))
        a = api_by_key[(DOMAIN.get(f["wiki"]), f["rev_id"])]
        b = a["body"]
        if kind == "nosuchrevid":
            check(b.get("error", {}).get("code") == "nosuchrevid", f"fault {f} is not nosuchrevid")
        else:
            hidden = b.get("error", {}).get("code") == "missingcontent" or \
                b.get("query", {}).get("pages", [{}])[0].get("revisions", [{}])[0].get("slots", {}).get("main", {}).get("texthidden") is True
            check(hidden, f"fault {f} is not hidden")
labels = [json.loads(x) for x in read_lines("labels.jsonl")]
label_keys = Counter((x["wiki"], x["rev_id"]) for x in labels)
check(all(v == 1 for v in label_keys.values()), "duplicate labels")
want = {key for o, _, key in outcome if o == "enrich"} - fault_keys
check(set(label_keys) == want, f"labels cover {len(label_keys)} revisions, expected {len(want)}")
check(len(labels) == expected["classified"], "classified count")
lc = Counter(x["expected"] for x in labels)
check(dict(lc) == {k: v for k, v in expected["labels"].items() if v}, f"label counts {lc}")
for x in labels:
    check(x["expected"] in ("ok", "spam", "vandalism", "personal-attack", "private-information", "blp"), f"bad label {x}")

# 5. SSE capture carries the same payloads in order
sse = open(os.path.join(HERE, "events.sse.txt"), encoding="utf-8").read()
frames = [f for f in sse.split("\n\n") if f.strip()]
datas = []
for fr in frames:
    fl = fr.split("\n")
    if all(x.startswith(":") for x in fl):
        continue
    check(fl[0] == "event: message" and fl[1].startswith("id: ") and fl[2].startswith("data: ") and len(fl) == 3, f"bad frame {fr[:120]}")
    ids = json.loads(fl[1][4:])
    check(isinstance(ids, list) and all(set(i) in ({"topic", "partition", "offset"}, {"topic", "partition", "timestamp"}) for i in ids), "bad id")
    datas.append(fl[2][6:])
check(datas == ev_lines, "SSE data lines differ from events.jsonl")

# 6. real recorded events are present verbatim
if os.path.isdir(REF):
    for f in ["page_change.edit.enwiki.schema-1.3.0.json", "page_change.item-create.testwikidatawiki.schema-1.2.0.json",
              "page_change.item-edit.testwikidatawiki.schema-1.2.0.json", "page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json",
              "recentchange.edit.enwiki.2021-09-15.anon-ipv6.json", "recentchange.edit.wikidatawiki.2022.bot.json"]:
        obj = json.load(open(os.path.join(REF, "events", f), encoding="utf-8"))
        obj = obj.get("sse_data", obj)
        check(obj in parsed, f"real event {f} missing or altered")
    rec = json.load(open(os.path.join(REF, "api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"), encoding="utf-8"))["res"]["data"]
    check(api_by_key[("en.wikipedia.org", 920429244)]["body"] == rec, "recorded compare 920429244 altered")

# 7. timestamps of constructed events increase
last = ""
for ev, (_, reason, _) in zip(parsed, outcome):
    if ev and ev.get("meta", {}).get("domain") != "canary" and reason != "duplicate":  # replays repeat older times
        d = ev.get("dt") or ev["meta"]["dt"]
        if d.startswith("2026-11-20"):
            check(d[:19] >= last[:19], f"time goes backwards at {d}")
            last = d

if errors:
    print(f"{len(errors)} problem(s):")
    for e in errors[:50]:
        print(" -", e)
    sys.exit(1)
print(f"OK: {len(ev_lines)} events, {c[('enrich', None)]} to enrich, {len(api)} wiki-api lines, {len(labels)} labels, "
      f"{len(datas)} SSE frames; counts match expected.json")
