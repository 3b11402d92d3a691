#!/usr/bin/env bash
# Builds a `safeguard eval` dataset from labeled revision ids through the MediaWiki Action API.
# NEEDS NETWORK ACCESS to the wikis (it cannot run on the offline build machines).
#
#   scripts/build-eval-dataset.sh --input labels.csv --output dataset.jsonl --user-agent "MyEval/1.0 (you@example.org)"
#
# labels.csv: one revision a line, `wiki,rev_id,label[,category]` (a header line starting with "wiki" is skipped), e.g.
#   enwiki,1319367938,vandalism,VAND1
#   dewiki,250000001,constructive
# For each revision it asks https://{domain}/w/api.php?action=compare&fromrev=REV&torelative=prev (the diff against the
# parent revision, as the live pipeline classifies it) and writes one record a line:
#   {id, source, wiki, lang, label, category, title, comment, added_text, removed_text}
# Added/removed text are the whole added and deleted lines of the table diff. Page creations (no parent) take the
# revision's content as added text. Deleted, suppressed or missing revisions are reported on stderr and left out.
# It honours Wikimedia's API etiquette: a User-Agent with a contact (required), maxlag=5, one request at a time with a
# pause between them (--delay, default 0.2 s), and Retry-After on 429/503.
#
# Offline check of the diff extraction against a recorded compare response (runs here):
#   scripts/build-eval-dataset.sh --compare-json tests/data/wikimedia/api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json
set -euo pipefail
command -v python3 >/dev/null || { echo "build-eval-dataset: python3 is required" >&2; exit 2; }
exec python3 - "$@" <<'PY'
import argparse, csv, html.parser, json, re, sys, time, urllib.error, urllib.parse, urllib.request

SPECIAL = {"wikidatawiki": "www.wikidata.org", "commonswiki": "commons.wikimedia.org", "metawiki": "meta.wikimedia.org",
           "specieswiki": "species.wikimedia.org", "mediawikiwiki": "www.mediawiki.org"}
PROJECTS = [("wiktionary", "wiktionary.org"), ("wikibooks", "wikibooks.org"), ("wikinews", "wikinews.org"),
            ("wikiquote", "wikiquote.org"), ("wikisource", "wikisource.org"), ("wikiversity", "wikiversity.org"),
            ("wikivoyage", "wikivoyage.org"), ("wiki", "wikipedia.org")]

def domain_for(wiki):
    # The same convention as WikiDomains in src/Safeguard.Stream.Classification/Evaluation.
    if wiki in SPECIAL:
        return SPECIAL[wiki]
    if re.fullmatch(r"[a-z][a-z0-9_]*", wiki):
        for suffix, project in PROJECTS:
            if wiki.endswith(suffix) and len(wiki) > len(suffix):
                return wiki[: -len(suffix)].replace("_", "-") + "." + project
    return None

class TableDiff(html.parser.HTMLParser):
    """Whole added and deleted lines of MediaWiki's table diff (class diff-addedline / diff-deletedline)."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.added, self.removed, self._cell, self._text = [], [], None, []
    def handle_starttag(self, tag, attrs):
        if tag == "td":
            classes = (dict(attrs).get("class") or "").split()
            self._cell = "added" if "diff-addedline" in classes else "removed" if "diff-deletedline" in classes else None
            self._text = []
    def handle_endtag(self, tag):
        if tag == "td" and self._cell:
            (self.added if self._cell == "added" else self.removed).append("".join(self._text))
            self._cell = None
    def handle_data(self, data):
        if self._cell:
            self._text.append(data)

def extract(body):
    parser = TableDiff()
    parser.feed(body or "")
    return "\n".join(parser.added), "\n".join(parser.removed)

def get(domain, params, user_agent, tries=5):
    url = f"https://{domain}/w/api.php?" + urllib.parse.urlencode({**params, "format": "json", "formatversion": "2", "maxlag": "5"})
    for attempt in range(tries):
        request = urllib.request.Request(url, headers={"User-Agent": user_agent, "Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                data = json.load(response)
        except urllib.error.HTTPError as e:
            if e.code in (429, 503) and attempt + 1 < tries:
                time.sleep(min(60, float(e.headers.get("Retry-After") or 2 ** attempt)))
                continue
            raise
        if data.get("error", {}).get("code") == "maxlag" and attempt + 1 < tries:
            time.sleep(5)
            continue
        return data
    raise RuntimeError(f"gave up on {url}")

def record(wiki, rev, label, category, user_agent):
    domain = domain_for(wiki)
    if domain is None:
        raise ValueError(f"no host name for wiki '{wiki}'")
    data = get(domain, {"action": "compare", "fromrev": rev, "torelative": "prev", "prop": "diff|ids|title|comment"}, user_agent)
    if "error" in data:
        # A page creation has no parent to compare with: its content is the added text.
        revs = get(domain, {"action": "query", "prop": "revisions", "revids": rev, "rvprop": "ids|comment|content", "rvslots": "main"}, user_agent)
        pages = revs.get("query", {}).get("pages", [])
        if not pages or "revisions" not in pages[0] or pages[0]["revisions"][0].get("parentid"):
            raise ValueError(f"{data['error'].get('code')}: {data['error'].get('info')}")
        r = pages[0]["revisions"][0]
        if r.get("texthidden") or r.get("commenthidden") or "slots" not in r:
            raise ValueError("revision hidden or suppressed")
        title, comment, added, removed = pages[0]["title"], r.get("comment"), r["slots"]["main"].get("content", ""), ""
    else:
        compare = data["compare"]
        if compare.get("texthidden") or "body" not in compare and "*" not in compare:
            raise ValueError("diff hidden or suppressed")
        added, removed = extract(compare.get("body", compare.get("*")))
        title, comment = compare.get("totitle"), compare.get("tocomment")
    lang = domain.split(".")[0] if domain.split(".")[0] not in ("www", "commons", "meta", "species") else "mul"
    return {"id": str(rev), "source": f"mediawiki-api {domain} action=compare", "wiki": wiki, "lang": lang, "label": label,
            "category": category or None, "title": title, "comment": comment, "added_text": added, "removed_text": removed}

def main():
    ap = argparse.ArgumentParser(description="Build a safeguard eval dataset from labeled revision ids (needs network).")
    ap.add_argument("--input", help="CSV: wiki,rev_id,label[,category]")
    ap.add_argument("--output", help="JSONL to write")
    ap.add_argument("--user-agent", help="descriptive User-Agent with a contact address (Wikimedia User-Agent policy)")
    ap.add_argument("--delay", type=float, default=0.2, help="seconds between revisions (default 0.2)")
    ap.add_argument("--compare-json", help="offline: print the added/removed text of a recorded compare response and exit")
    a = ap.parse_args()
    if a.compare_json:
        doc = json.load(open(a.compare_json, encoding="utf-8"))
        compare = (doc.get("res", {}).get("data") or doc)["compare"]
        added, removed = extract(compare.get("body", compare.get("*")))
        print(json.dumps({"title": compare.get("totitle"), "added_text": added, "removed_text": removed}, ensure_ascii=False))
        return 0
    if not (a.input and a.output and a.user_agent):
        ap.error("--input, --output and --user-agent are required")
    written = failed = 0
    with open(a.input, newline="", encoding="utf-8") as f, open(a.output, "w", encoding="utf-8") as out:
        for number, row in enumerate(csv.reader(f), 1):
            if not row or row[0].strip().startswith("#") or (number == 1 and row[0].strip().lower() == "wiki"):
                continue
            if len(row) < 3 or not row[1].strip().isdigit():
                print(f"line {number}: expected wiki,rev_id,label[,category]", file=sys.stderr); failed += 1; continue
            wiki, rev, label = (c.strip() for c in row[:3])
            try:
                out.write(json.dumps(record(wiki, int(rev), label, row[3].strip() if len(row) > 3 else None, a.user_agent), ensure_ascii=False) + "\n")
                written += 1
            except Exception as e:  # one bad revision never stops the build
                print(f"line {number}: {wiki} {rev}: left out: {e}", file=sys.stderr); failed += 1
            time.sleep(a.delay)
    print(f"build-eval-dataset: {written} record(s) written to {a.output}, {failed} left out", file=sys.stderr)
    return 0 if written else 1

sys.exit(main())
PY
