#!/usr/bin/env python3
"""Generate the Safeguard.Stream demo dataset (tests/data/demo/).

Python 3.11 standard library only. Deterministic (fixed seed); re-running rewrites the same bytes.

    python3 tests/data/demo/generate.py            # writes next to this script
    python3 tests/data/demo/generate.py --check    # regenerate in memory, fail if files differ

Writes: events.jsonl, events.sse.txt, wiki-api.jsonl, labels.jsonl, expected.json, README.md.
Real recorded inputs are read from the shared reference folder (see REF below); the few values
taken from them are also embedded here so the script still works where that folder is absent.
Everything else (most events, all diff/page content) is CONSTRUCTED for the demo.
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import difflib
import hashlib
import html
import json
import os
import random
import re
import sys
import urllib.parse
import uuid
from collections import Counter, OrderedDict

sys.dont_write_bytecode = True  # keep tests/data/demo free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import content_bank as CB  # noqa: E402

SEED = 20261120
HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.environ.get("WM_REFERENCE_DIR", "/work/shared/reference/wikimedia")

T0 = dt.datetime(2026, 11, 20, 14, 0, 0, tzinfo=dt.timezone.utc)
SPAN_S = 1190  # events spread over ~20 minutes

# --------------------------------------------------------------------------------------------
# Wikis
# --------------------------------------------------------------------------------------------
WIKIS = {
    "enwiki": dict(domain="en.wikipedia.org", lang="en", rev=1361254000, rcid=1958110000, page=82400000, patrolled=False),
    "dewiki": dict(domain="de.wikipedia.org", lang="de", rev=262481000, rcid=388210000, page=13950000, patrolled=False),
    "frwiki": dict(domain="fr.wikipedia.org", lang="fr", rev=231612000, rcid=702340000, page=17420000, patrolled=False),
    "eswiki": dict(domain="es.wikipedia.org", lang="es", rev=171905000, rcid=541870000, page=12210000, patrolled=True),
    "jawiki": dict(domain="ja.wikipedia.org", lang="ja", rev=106812000, rcid=318560000, page=5290000, patrolled=True),
    "ptwiki": dict(domain="pt.wikipedia.org", lang="pt", rev=71234000, rcid=219940000, page=7980000, patrolled=True),
    "commonswiki": dict(domain="commons.wikimedia.org", lang="en", rev=1152340000, rcid=3398120000, page=181200000, patrolled=True),
    "wikidatawiki": dict(domain="www.wikidata.org", lang="en", rev=2512870000, rcid=2741930000, page=131500000, patrolled=True),
}
NS_NAMES = {
    "en": {1: "Talk", 2: "User", 3: "User talk", 4: "Wikipedia", 10: "Template", 14: "Category", 118: "Draft", 828: "Module"},
    "de": {1: "Diskussion", 2: "Benutzer", 3: "Benutzer Diskussion", 4: "Wikipedia", 10: "Vorlage", 14: "Kategorie"},
    "fr": {1: "Discussion", 2: "Utilisateur", 3: "Discussion utilisateur", 4: "Wikipédia", 10: "Modèle", 14: "Catégorie"},
    "es": {1: "Discusión", 2: "Usuario", 3: "Usuario discusión", 4: "Wikipedia", 10: "Plantilla", 14: "Categoría"},
    "pt": {1: "Discussão", 2: "Usuário(a)", 3: "Usuário(a) Discussão", 4: "Wikipédia", 10: "Predefinição", 14: "Categoria"},
    "ja": {1: "ノート", 2: "利用者", 3: "利用者‐会話", 4: "Wikipedia", 10: "Template", 14: "Category"},
    "commons": {1: "Talk", 2: "User", 3: "User talk", 4: "Commons", 6: "File", 14: "Category"},
    "wikidata": {1: "Talk", 2: "User", 3: "User talk", 4: "Wikidata", 120: "Property", 146: "Lexeme"},
}
GROUP_EXTRA = {"enwiki": ["extendedconfirmed"], "dewiki": ["editor"], "frwiki": ["autopatrolled"], "eswiki": ["autoconfirmed"],
               "jawiki": [], "ptwiki": ["autoreviewer"], "commonswiki": ["autopatrolled"], "wikidatawiki": ["autoconfirmed"]}

TOPIC_PC = "eqiad.mediawiki.page_change.v1"
TOPIC_RC = "eqiad.mediawiki.recentchange"
SSE_TOPICS = [TOPIC_PC, "codfw.mediawiki.page_change.v1", TOPIC_RC, "codfw.mediawiki.recentchange"]

# --------------------------------------------------------------------------------------------
# Real recorded material (provenance: reference/wikimedia/README.md)
# --------------------------------------------------------------------------------------------
REAL_EVENT_FILES = [
    # (file, kind of wrapper)
    ("events/page_change.edit.enwiki.schema-1.3.0.json", "plain"),
    ("events/page_change.item-create.testwikidatawiki.schema-1.2.0.json", "plain"),
    ("events/page_change.item-edit.testwikidatawiki.schema-1.2.0.json", "plain"),
    ("events/page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json", "plain"),
    ("events/recentchange.edit.enwiki.2021-09-15.anon-ipv6.json", "sse_wrapped"),
    ("events/recentchange.edit.wikidatawiki.2022.bot.json", "plain"),
]
REAL_COMPARE_920429244 = "api/enwiki.compare.fromrev-920429244.torelative-prev.recorded.json"
REAL_NOSUCHREVID_920429242 = "api/enwiki.compare.fromrev-920429242.error-nosuchrevid.recorded.json"
REAL_QUERY_920429244 = "api/enwiki.query-revisions.revids-920429244.fv1.recorded.json"


def load_ref_json(rel):
    path = os.path.join(REF, rel)
    with open(path, encoding="utf-8") as f:
        return json.load(f, object_pairs_hook=OrderedDict)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
class Rng(random.Random):
    def uuid4(self):
        return str(uuid.UUID(int=self.getrandbits(128), version=4))


def iso(t, frac=None):
    if frac == "us":
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if frac == "ms":
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def base36_sha1(text):
    n = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(31, "0")


def wf_urlencode(s):
    # MediaWiki wfUrlencode: keeps ;:@$!*(),/~ unescaped
    return urllib.parse.quote(s, safe=";:@$!*(),/~")


def dbkey(title):
    return title.replace(" ", "_")


def esc(s):
    # wikidiff2 escapes &, < and > (not quotes)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nbytes(lines):
    return len("\n".join(lines).encode("utf-8"))


# --------------------------------------------------------------------------------------------
# wikidiff2 "table" rendering (current format: data-marker + diff-side-* classes)
# --------------------------------------------------------------------------------------------
TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def cell_content(text):
    return "<br />" if text == "" else f"<div>{esc(text)}</div>"


def inline_diff(old, new):
    a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    lo, ro = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            lo.append(esc("".join(a[i1:i2])))
            ro.append(esc("".join(b[j1:j2])))
        else:
            if i2 > i1:
                lo.append(f'<del class="diffchange diffchange-inline">{esc("".join(a[i1:i2]))}</del>')
            if j2 > j1:
                ro.append(f'<ins class="diffchange diffchange-inline">{esc("".join(b[j1:j2]))}</ins>')
    return "<div>" + "".join(lo) + "</div>", "<div>" + "".join(ro) + "</div>", sm.ratio()


def row_context(text):
    c = cell_content(text)
    return ("<tr>\n  <td class=\"diff-marker\"></td>\n  <td class=\"diff-context diff-side-deleted\">" + c + "</td>\n"
            "  <td class=\"diff-marker\"></td>\n  <td class=\"diff-context diff-side-added\">" + c + "</td>\n</tr>\n")


def row_added(text):
    return ("<tr>\n  <td colspan=\"2\" class=\"diff-empty diff-side-deleted\"></td>\n  <td class=\"diff-marker\" data-marker=\"+\"></td>\n"
            "  <td class=\"diff-addedline diff-side-added\">" + cell_content(text) + "</td>\n</tr>\n")


def row_deleted(text):
    return ("<tr>\n  <td class=\"diff-marker\" data-marker=\"\u2212\"></td>\n  <td class=\"diff-deletedline diff-side-deleted\">" + cell_content(text) + "</td>\n"
            "  <td colspan=\"2\" class=\"diff-empty diff-side-added\"></td>\n</tr>\n")


def row_changed(old, new):
    lhtml, rhtml, ratio = inline_diff(old, new)
    if ratio < 0.35 or old == "" or new == "":
        return row_deleted(old) + row_added(new)
    return ("<tr>\n  <td class=\"diff-marker\" data-marker=\"\u2212\"></td>\n  <td class=\"diff-deletedline diff-side-deleted\">" + lhtml + "</td>\n"
            "  <td class=\"diff-marker\" data-marker=\"+\"></td>\n  <td class=\"diff-addedline diff-side-added\">" + rhtml + "</td>\n</tr>\n")


def row_lineno(lang, left, right):
    fmt = CB.LANG[lang]["lineno"]
    return (f"<tr>\n  <td colspan=\"2\" class=\"diff-lineno\">{fmt.format(left)}</td>\n"
            f"  <td colspan=\"2\" class=\"diff-lineno\">{fmt.format(right)}</td>\n</tr>\n")


def render_table_diff(old_lines, new_lines, lang, line_offset, context=2):
    sm = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    out = []
    for group in sm.get_grouped_opcodes(context):
        first = group[0]
        out.append(row_lineno(lang, line_offset + first[1] + 1, line_offset + first[3] + 1))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                for k in range(i1, i2):
                    out.append(row_context(old_lines[k]))
            elif op == "delete":
                for k in range(i1, i2):
                    out.append(row_deleted(old_lines[k]))
            elif op == "insert":
                for k in range(j1, j2):
                    out.append(row_added(new_lines[k]))
            else:  # replace: pair lines in order, leftovers as plain deletes / adds
                n = min(i2 - i1, j2 - j1)
                for k in range(n):
                    out.append(row_changed(old_lines[i1 + k], new_lines[j1 + k]))
                for k in range(i1 + n, i2):
                    out.append(row_deleted(old_lines[k]))
                for k in range(j1 + n, j2):
                    out.append(row_added(new_lines[k]))
    return "".join(out)


# Wikibase diff rows (format of the recorded Wikidata compare body, editgroups fixture)
def wb_link(title, label):
    return f'<a title="{html.escape(title, quote=True)}" href="/wiki/{title}">{html.escape(label, quote=False)}</a>'


def wb_header(left, right):
    return f'<tr><td colspan="2" class="diff-lineno">{left}</td><td colspan="2" class="diff-lineno">{right}</td></tr>'


def wb_added(inner):
    return ('<tr><td colspan="2">&nbsp;</td><td class="diff-marker">+</td><td class="diff-addedline"><div>'
            f'<ins class="diffchange diffchange-inline"><span>{inner}</span></ins></div></td></tr>')


def wb_changed(old_inner, new_inner):
    return ('<tr><td class="diff-marker">\u2212</td><td class="diff-deletedline"><div>'
            f'<del class="diffchange diffchange-inline"><span>{old_inner}</span></del></div></td>'
            '<td class="diff-marker">+</td><td class="diff-addedline"><div>'
            f'<ins class="diffchange diffchange-inline"><span>{new_inner}</span></ins></div></td></tr>')


# --------------------------------------------------------------------------------------------
# Comment → parsedcomment (small subset of Linker::formatComment, enough for the demo)
# --------------------------------------------------------------------------------------------
def parse_comment(comment, title):
    def links(s):
        s = html.escape(s, quote=False)

        def wl(m):
            target, _, text = m.group(1).partition("|")
            t = target.lstrip(":")
            text = text or t
            return f'<a href="/wiki/{wf_urlencode(dbkey(t))}" title="{html.escape(t, quote=True)}">{text}</a>'
        s = re.sub(r"\[\[([^\]]+)\]\]", wl, s)
        s = re.sub(r"\[(https?://\S+) ([^\]]+)\]", lambda m: f'<a rel="nofollow" class="external text" href="{m.group(1)}">{m.group(2)}</a>', s)
        return s
    m = re.match(r"^/\*\s*(.*?)\s*\*/\s*(.*)$", comment)
    if m:
        sec, rest = m.group(1), m.group(2)
        anchor = wf_urlencode(dbkey(title)) + "#" + wf_urlencode(dbkey(sec))
        a = f'<a href="/wiki/{anchor}" title="{html.escape(title, quote=True)}">→{html.escape(sec, quote=False)}</a>'
        if rest:
            return f'<span dir="auto"><span class="autocomment">{a}: </span>{links(rest)}</span>'
        return f'<span dir="auto"><span class="autocomment">{a}</span></span>'
    return links(comment)


# --------------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------------
class Users:
    def __init__(self, rng):
        self.rng = rng
        self.cache = {}
        self.temp_seq = 31000

    def _key(self, wiki):
        return {"commonswiki": "commons", "wikidatawiki": "wikidata"}.get(wiki, WIKIS[wiki]["lang"])

    def make(self, wiki, kind):
        r = self.rng
        k = self._key(wiki)
        if kind == "established":
            name = r.choice(CB.USERS[k])
        elif kind == "new":
            name = r.choice(CB.NEW_USERS[k])
        elif kind == "bot":
            name = r.choice(CB.BOTS[k])
        elif kind == "temp":
            self.temp_seq += r.randint(3, 400)
            name = f"~2026-{self.temp_seq}-{r.randint(10, 99)}"
        elif kind == "ip":
            name = r.choice(["203.0.113.", "198.51.100.", "192.0.2."]) + str(r.randint(2, 250))
        else:
            raise ValueError(kind)
        key = (wiki, name)
        if key in self.cache:
            u = self.cache[key]
            if "edit_count" in u:
                u["edit_count"] += 1
            return OrderedDict(u)
        u = OrderedDict()
        u["user_text"] = name
        if kind == "ip":
            u["groups"] = ["*"]
            u["is_bot"] = False
            u["is_system"] = False
            u["is_temp"] = False
        else:
            if kind == "bot":
                groups = ["bot", "*", "user", "autoconfirmed"]
            elif kind == "temp":
                groups = ["*", "temp"]
            elif kind == "new":
                groups = ["*", "user"]
            else:
                groups = GROUP_EXTRA[wiki] + ["*", "user", "autoconfirmed"]
                groups = list(OrderedDict.fromkeys(groups))
            u["groups"] = groups
            u["is_bot"] = kind == "bot"
            u["is_system"] = False
            u["is_temp"] = kind == "temp"
            u["user_id"] = r.randint(100000, 52000000) if kind != "temp" else r.randint(52100000, 52900000)
            if kind == "temp":
                reg = T0 - dt.timedelta(minutes=r.randint(5, 600))
                u["registration_dt"] = iso(reg)
                u["edit_count"] = r.randint(0, 6)
            elif kind == "new":
                reg = T0 - dt.timedelta(hours=r.randint(1, 240))
                u["registration_dt"] = iso(reg)
                u["edit_count"] = r.randint(0, 9)
            else:
                reg = T0 - dt.timedelta(days=r.randint(400, 7000), seconds=r.randint(0, 86399))
                u["registration_dt"] = iso(reg)
                u["edit_count"] = r.randint(800, 400000) if kind == "bot" else r.randint(600, 180000)
            u["user_central_id"] = r.randint(1000000, 89000000)
        self.cache[key] = u
        return OrderedDict(u)


def performer_for_schema(u, schema_minor):
    """1.2.0 user entity has no user_central_id; 1.3.0 (real sample) has it."""
    out = OrderedDict()
    for k in ["edit_count", "groups", "is_bot", "is_system", "is_temp", "registration_dt", "user_central_id", "user_id", "user_text"] \
            if schema_minor >= 3 else ["user_text", "groups", "is_bot", "is_system", "is_temp", "user_id", "registration_dt", "edit_count"]:
        if k in u and not (k == "user_central_id" and schema_minor < 3):
            out[k] = u[k]
    return out


# --------------------------------------------------------------------------------------------
# Page state (so that consecutive edits on the same page have coherent parents and diffs)
# --------------------------------------------------------------------------------------------
class Page:
    def __init__(self, wiki, title, ns, page_id, lines, offset, extra_bytes, model="wikitext", fmt="text/x-wiki"):
        self.wiki, self.title, self.ns, self.page_id = wiki, title, ns, page_id
        self.lines = list(lines)
        self.offset = offset  # lines above the visible slice (for "Line N:" headers)
        self.extra = extra_bytes  # bytes outside the visible slice
        self.model, self.fmt = model, fmt
        self.rev = None  # dict describing latest revision
        self.typos = []  # list of (wrong, right)
        self.done = set()
        self.snapshots = []  # (lines before bad edit, bad user, prev user)
        self.stub = None

    @property
    def size(self):
        return self.extra + nbytes(self.lines)


def build_article_lines(lang, stub):
    L = CB.LANG[lang]
    lines = []
    if stub.get("infobox"):
        tpl, params, _ = stub["infobox"]
        lines.append("{{" + tpl)
        for p, v in params:
            lines.append(f"| {p} = {v}")
        lines.append("}}")
    lines.append(stub["intro"])
    lines.extend(stub["body"])
    lines.append("")
    lines.append(f"== {stub['section']} ==")
    lines.append(stub["section_body"])
    lines.append("")
    lines.append(L["refs_header"])
    lines.append(L["refs_body"])
    lines.append("")
    lines.append(f"[[{L['cat']}:{stub['cats'][0]}]]")
    return lines


def find_intro(stub, lines):
    intro, term = stub["intro"], stub["link_term"]
    prefix = intro[:max(8, intro.find(term))] if term in intro else intro[:25]
    return next((i for i, ln in enumerate(lines) if ln.startswith(prefix)), None)


def misspell(rng, word):
    if len(word) < 6:
        return None
    i = rng.randint(1, len(word) - 3)
    w = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return w if w != word else None


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------
class Gen:
    def __init__(self):
        self.rng = Rng(SEED)
        self.users = Users(self.rng)
        self.rev = {w: v["rev"] for w, v in WIKIS.items()}
        self.rcid = {w: v["rcid"] for w, v in WIKIS.items()}
        self.page_seq = {w: v["page"] for w, v in WIKIS.items()}
        self.offsets = {TOPIC_PC: 1284551230, TOPIC_RC: 6120334871}
        self.pages = {}  # wiki -> list[Page]
        self.events = []  # list of dict(line=str, obj=obj or None, meta=...)
        self.api = []
        self.labels = []
        self.notes = {}
        self._init_pages()

    # ---------------- ids
    def next_rev(self, wiki):
        self.rev[wiki] += self.rng.randint(40, 900)
        return self.rev[wiki]

    def next_rcid(self, wiki):
        self.rcid[wiki] += self.rng.randint(60, 1500)
        return self.rcid[wiki]

    def next_page_id(self, wiki):
        self.page_seq[wiki] += self.rng.randint(3, 60)
        return self.page_seq[wiki]

    def next_offset(self, topic):
        self.offsets[topic] += self.rng.randint(80, 2600)
        return self.offsets[topic]

    # ---------------- initial page states
    def _init_pages(self):
        r = self.rng
        for wiki, w in WIKIS.items():
            self.pages[wiki] = []
            lang = w["lang"]
            if wiki in ("commonswiki", "wikidatawiki"):
                continue
            stubs = [(s, False) for s in CB.ARTICLES[lang]] + [(s, True) for s in CB.PERSONS.get(lang, [])]
            for stub, is_person in stubs:
                lines = build_article_lines(lang, stub)
                p = Page(wiki, stub["title"], 0, r.randint(40000, w["page"] - 100000), lines, r.randint(0, 40), r.randint(2500, 60000))
                p.stub = stub
                p.is_person = is_person
                # inject 1-2 typos that good-faith edits can later fix
                cand = [i for i, ln in enumerate(p.lines) if ln in stub["body"] or ln == stub["section_body"]]
                r.shuffle(cand)
                for i in cand[:2]:
                    if lang == "ja":
                        ln = p.lines[i]
                        j = ln.find("の")
                        if j < 0:
                            j = ln.find("に")
                        if j < 0:
                            continue
                        wrong = ln[:j + 1] + ln[j] + ln[j + 1:]
                        p.typos.append((wrong, ln))
                        p.lines[i] = wrong
                    else:
                        words = [x for x in re.findall(r"[^\W\d_]+", p.lines[i]) if len(x) >= 6]
                        if not words:
                            continue
                        word = r.choice(words)
                        wrong = misspell(r, word)
                        if not wrong:
                            continue
                        new_line = p.lines[i].replace(word, wrong, 1)
                        p.typos.append((new_line, p.lines[i]))
                        p.lines[i] = new_line
                self._init_prior_rev(p)
                self.pages[wiki].append(p)
        # commons galleries
        for g in CB.COMMONS_GALLERIES:
            p = Page("commonswiki", g["title"], 0, r.randint(10000, 9000000), g["lines"], 0, 0)
            p.stub = g
            p.is_person = False
            self._init_prior_rev(p)
            self.pages["commonswiki"].append(p)
        # wikidata items
        for qid, label in CB.WD_ITEMS:
            p = Page("wikidatawiki", qid, 0, 138 if qid == "Q42" else r.randint(150, 400000), [], 0, r.randint(60000, 420000),
                     model="wikibase-item", fmt="application/json")
            p.stub = dict(label=label)
            p.is_person = qid in ("Q7186", "Q937", "Q42")
            p.wd = dict(labels={}, descriptions={}, claims=set())
            self._init_prior_rev(p)
            self.pages["wikidatawiki"].append(p)

    def _init_prior_rev(self, p):
        r = self.rng
        u = self.users.make(p.wiki, "established")
        rev_dt = T0 - dt.timedelta(days=r.randint(1, 400), seconds=r.randint(0, 86399))
        rid = WIKIS[p.wiki]["rev"] - r.randint(20000, 9000000)
        p.rev = dict(rev_id=rid, rev_dt=iso(rev_dt), parent=rid - r.randint(1000, 4000000), size=p.size,
                     sha1=base36_sha1(f"{p.wiki}:{p.title}:{rid}"), comment=r.choice(["copyedit", "", "cat", "ref"]) if WIKIS[p.wiki]["lang"] == "en" else "",
                     minor=r.random() < 0.3, user=u)

    # ---------------- event builders
    def page_change(self, *, wiki, page_id, title, ns, kind, when, user, rev_id, parent, size, sha1, comment, minor,
                    model="wikitext", fmt="text/x-wiki", prior=None, schema_minor=3, is_redirect=False, extra_top=None,
                    redacted=False, visibility=None, prior_page=None, created_redirect=None, revision_count=None, rev_dt=None):
        r = self.rng
        w = WIKIS[wiki]
        changelog = {"create": "insert", "undelete": "insert", "delete": "delete"}.get(kind, "update")
        ev = OrderedDict()
        ev["$schema"] = f"/mediawiki/page/change/1.{schema_minor}.0"
        ev["changelog_kind"] = changelog
        ev["page_change_kind"] = kind
        ev["dt"] = iso(when)
        ev["wiki_id"] = wiki
        prefixed = title if ns == 0 else title  # title passed already prefixed for ns != 0
        meta = OrderedDict()
        meta["domain"] = w["domain"]
        meta["dt"] = iso(when + dt.timedelta(milliseconds=r.randint(60, 960), microseconds=r.randint(0, 999)), "us")
        meta["request_id"] = r.uuid4()
        meta["stream"] = "mediawiki.page_change.v1"
        meta["uri"] = f"https://{w['domain']}/wiki/{wf_urlencode(dbkey(prefixed))}"
        meta["id"] = r.uuid4()
        meta["topic"] = TOPIC_PC
        meta["partition"] = 0
        meta["offset"] = self.next_offset(TOPIC_PC)
        meta["key"] = OrderedDict([("wiki_id", wiki), ("page_id", page_id)])
        ev["meta"] = meta
        page = OrderedDict([("is_redirect", is_redirect), ("namespace_id", ns), ("page_id", page_id), ("page_title", dbkey(prefixed))])
        if revision_count is not None:
            page["revision_count"] = revision_count
        ev["page"] = page
        if created_redirect:
            ev["created_redirect_page"] = created_redirect
        if extra_top:
            ev.update(extra_top)
        if redacted:
            ev["performer"] = OrderedDict()
        else:
            ev["performer"] = performer_for_schema(user, schema_minor)
        rev = OrderedDict()
        rev["rev_id"] = rev_id
        rev["rev_dt"] = rev_dt or iso(when)
        rev["is_minor_edit"] = minor
        rev["rev_sha1"] = sha1
        rev["rev_size"] = size
        if parent is not None:
            rev["rev_parent_id"] = parent
        vis = dict(content=True, editor=True, comment=True)
        if visibility:
            vis.update(visibility)
        if vis["comment"]:
            rev["comment"] = comment
        if not redacted and vis["editor"]:
            rev["editor"] = performer_for_schema(user, schema_minor)
        rev["is_content_visible"] = vis["content"]
        rev["is_editor_visible"] = vis["editor"]
        rev["is_comment_visible"] = vis["comment"]
        rev["content_slots"] = OrderedDict([("main", OrderedDict([
            ("slot_role", "main"), ("content_model", model), ("content_sha1", sha1), ("content_size", size),
            ("content_format", fmt), ("origin_rev_id", rev_id)]))])
        ev["revision"] = rev
        if prior is not None or prior_page is not None:
            ps = OrderedDict()
            if prior_page is not None:
                ps["page"] = prior_page
            if prior is not None:
                ps["revision"] = prior
            ev["prior_state"] = ps
        return ev

    def prior_revision(self, p, schema_minor, redacted=False):
        pr = p.rev
        rev = OrderedDict()
        rev["rev_id"] = pr["rev_id"]
        rev["rev_dt"] = pr["rev_dt"]
        rev["is_minor_edit"] = pr["minor"]
        rev["rev_sha1"] = pr["sha1"]
        rev["rev_size"] = pr["size"]
        rev["rev_parent_id"] = pr["parent"]
        rev["comment"] = pr["comment"]
        if not redacted:
            rev["editor"] = performer_for_schema(pr["user"], schema_minor)
        rev["is_content_visible"] = True
        rev["is_editor_visible"] = True
        rev["is_comment_visible"] = True
        rev["content_slots"] = OrderedDict([("main", OrderedDict([
            ("slot_role", "main"), ("content_model", p.model), ("content_sha1", pr["sha1"]), ("content_size", pr["size"]),
            ("content_format", p.fmt), ("origin_rev_id", pr["rev_id"])]))])
        return rev

    def recentchange(self, *, wiki, rc_type, ns, title, when, user_text, bot, comment, minor=False, old_len=None, new_len=None,
                     old_rev=None, new_rev=None, log=None, redacted=False):
        r = self.rng
        w = WIKIS[wiki]
        ev = OrderedDict()
        ev["$schema"] = "/mediawiki/recentchange/1.0.0"
        meta = OrderedDict()
        meta["uri"] = f"https://{w['domain']}/wiki/{wf_urlencode(dbkey(title))}"
        meta["request_id"] = r.uuid4()
        meta["id"] = r.uuid4()
        meta["dt"] = iso(when + dt.timedelta(milliseconds=r.randint(30, 900)), "ms")
        meta["domain"] = w["domain"]
        meta["stream"] = "mediawiki.recentchange"
        meta["topic"] = TOPIC_RC
        meta["partition"] = 0
        meta["offset"] = self.next_offset(TOPIC_RC)
        ev["meta"] = meta
        ev["id"] = self.next_rcid(wiki)
        ev["type"] = rc_type
        ev["namespace"] = ns
        ev["title"] = title
        ev["title_url"] = f"https://{w['domain']}/wiki/{wf_urlencode(dbkey(title))}"
        ev["comment"] = comment
        ev["timestamp"] = int(when.timestamp())
        if not redacted:
            ev["user"] = user_text
        ev["bot"] = bot
        if rc_type in ("edit", "new"):
            q = f"diff={new_rev}&oldid={old_rev}" if rc_type == "edit" else f"oldid={new_rev}"
            ev["notify_url"] = f"https://{w['domain']}/w/index.php?{q}&rcid={ev['id']}"
            ev["minor"] = minor
            if w["patrolled"]:
                ev["patrolled"] = bool(r.random() < 0.4)
            length = OrderedDict()
            rv = OrderedDict()
            if rc_type == "edit":
                length["old"] = old_len
                rv["old"] = old_rev
            length["new"] = new_len
            rv["new"] = new_rev
            ev["length"] = length
            ev["revision"] = rv
        if log:
            ev.update(log)
        ev["server_url"] = f"https://{w['domain']}"
        ev["server_name"] = w["domain"]
        ev["server_script_path"] = "/w"
        ev["wiki"] = wiki
        ev["parsedcomment"] = parse_comment(comment, title)
        return ev

    # ---------------- API line builders
    def compare_line(self, wiki, p, fromrev, torev, body_html, title=None):
        t = title or p.title
        body = OrderedDict([("compare", OrderedDict([
            ("fromid", p.page_id), ("fromrevid", fromrev), ("fromns", p.ns), ("fromtitle", t),
            ("toid", p.page_id), ("torevid", torev), ("tons", p.ns), ("totitle", t), ("body", body_html)]))])
        return OrderedDict([("domain", WIKIS[wiki]["domain"]), ("action", "compare"), ("fromrev", fromrev), ("torev", torev),
                            ("status", 200), ("body", body)])

    def query_line(self, wiki, page_id, ns, title, revid, model, fmt, content, hidden=False):
        main = OrderedDict([("contentmodel", model)])
        if hidden:
            main["texthidden"] = True
        else:
            main["contentformat"] = fmt
            main["content"] = content
        rev = OrderedDict([("revid", revid), ("parentid", 0), ("slots", OrderedDict([("main", main)]))])
        page = OrderedDict([("pageid", page_id), ("ns", ns), ("title", title), ("revisions", [rev])])
        body = OrderedDict([("batchcomplete", True), ("query", OrderedDict([("pages", [page])]))])
        return OrderedDict([("domain", WIKIS[wiki]["domain"]), ("action", "query"), ("revids", [revid]), ("status", 200), ("body", body)])

    def error_line_fv2(self, wiki, fromrev, torev, code, info):
        w = WIKIS[wiki]
        body = OrderedDict([("error", OrderedDict([
            ("code", code), ("info", info),
            ("docref", f"See https://{w['domain']}/w/api.php for API usage. Subscribe to the mediawiki-api-announce mailing list at "
                       "&lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; for notice of API "
                       "deprecations and breaking changes.")])),
            ("servedby", f"mw-api-ext.eqiad.main-{self.rng.randrange(16**9):09x}-{''.join(self.rng.choice('bcdfghjklmnpqrstvwxz2456789') for _ in range(5))}")])
        return OrderedDict([("domain", w["domain"]), ("action", "compare"), ("fromrev", fromrev), ("torev", torev), ("status", 200), ("body", body)])


# --------------------------------------------------------------------------------------------
# Edit operations on page state. Each returns (new_lines, comment, scenario, minor) or None.
# --------------------------------------------------------------------------------------------
def pick_comment(rng, lang, kind, **kw):
    c = rng.choice(CB.OK_COMMENTS[lang][kind])
    try:
        return c.format(**kw)
    except (KeyError, IndexError):
        return c


def op_ok(g, p, lang, force=None):
    r = g.rng
    stub = p.stub
    L = CB.LANG[lang]
    options = []
    if p.snapshots:
        options += ["revert"] * 3
    if p.typos:
        options.append("typo")
    if "addref" not in p.done:
        options.append("addref")
    if "cat" not in p.done:
        options.append("cat")
    if stub.get("infobox") and "infobox" not in p.done:
        options.append("infobox")
    if "link" not in p.done and stub["link_term"] in stub["intro"]:
        options.append("link")
    if force:
        options = [o for o in options if o == force]
    if not options:
        return None
    op = r.choice(options)
    new = list(p.lines)
    if op == "revert":
        before, bad_user, prev_user = p.snapshots[-1]
        p.snapshots.clear()
        new = list(before)
        c = pick_comment(r, lang, "revert", vandal=p.rev["user"]["user_text"], prev=prev_user, rev=p.rev["rev_id"])
        return new, c, "revert-of-bad-edit", False, op
    if op == "typo":
        wrong, right = p.typos.pop(0)
        if wrong not in new:
            return None
        new[new.index(wrong)] = right
        return new, pick_comment(r, lang, "typo", section=stub["section"]), "typo-fix", True, op
    if op == "addref":
        src = r.choice(CB.CITE_SOURCES[lang])
        cite = L["cite"].format(last=src[0], first=src[1], title=src[2], pub=src[3], year=src[4], page=src[5])
        line = stub["fact"] + f"<ref>{cite}</ref>"
        idx = new.index(stub["section_body"]) + 1 if stub["section_body"] in new else len(new) - 4
        new.insert(idx, line)
        p.done.add(op)
        return new, pick_comment(r, lang, "addref", section=stub["section"]), "added-sourced-sentence", False, op
    if op == "cat":
        old_cat = f"[[{L['cat']}:{stub['cats'][0]}]]"
        new_cat = f"[[{L['cat']}:{stub['cats'][1]}]]"
        p.done.add(op)
        if old_cat in new:
            if stub.get("surname") or r.random() < 0.4:
                new.insert(new.index(old_cat) + 1, new_cat)
                return new, pick_comment(r, lang, "cat", old=stub["cats"][0], new=stub["cats"][1]), "category-added", True, op
            new[new.index(old_cat)] = new_cat
            return new, pick_comment(r, lang, "cat", old=stub["cats"][0], new=stub["cats"][1]), "category-changed", True, op
        return None
    if op == "infobox":
        tpl, params, (param, val) = stub["infobox"]
        old_val = dict(params)[param]
        old_line = f"| {param} = {old_val}"
        p.done.add(op)
        if old_line not in new:
            return None
        new[new.index(old_line)] = f"| {param} = {val}"
        return new, pick_comment(r, lang, "infobox", param=param), "infobox-tweak", r.random() < 0.5, op
    if op == "link":
        term = stub["link_term"]
        idx = find_intro(stub, new)
        p.done.add(op)
        if idx is None or f"[[{term}" in new[idx] or term not in new[idx]:
            return None
        new[idx] = new[idx].replace(term, f"[[{term}]]", 1)
        return new, pick_comment(r, lang, "link"), "wikilink-added", True, op
    return None


def op_bad(g, p, lang, label, user_text):
    r = g.rng
    stub = p.stub
    L = CB.LANG[lang]
    new = list(p.lines)
    intro_idx = find_intro(stub, new)
    if intro_idx is None:
        intro_idx = 0
    body_idx = intro_idx + 1 if intro_idx + 1 < len(new) and new[intro_idx + 1] and not new[intro_idx + 1].startswith("==") else intro_idx
    if label == "spam":
        text, comment, site = r.choice(CB.SPAM[lang])
        line = text.format(site=site, title=p.title)
        if line.startswith("*"):
            cat_idx = next(i for i, ln in enumerate(new) if ln.startswith(f"[[{L['cat']}:"))
            new[cat_idx:cat_idx] = [L["ext_header"], line, ""]
            scen = "spam-external-link"
        else:
            new.insert(body_idx + 1, line)
            scen = "spam-promotional-text"
        return new, comment, scen, False
    if label == "vandalism":
        kind = r.choice(["line", "line", "append", "blank"])
        if kind == "line":
            line = r.choice(CB.VANDAL_LINES[lang])
            new.insert(body_idx + 1, line)
            scen = "vandalism-nonsense-or-profanity"
        elif kind == "append":
            new[intro_idx] = new[intro_idx] + r.choice(CB.VANDAL_APPEND[lang])
            scen = "vandalism-inline-insertion"
        else:
            sec = f"== {stub['section']} =="
            if sec in new:
                i = new.index(sec)
                j = i + 1
                while j < len(new) and new[j] != "" and not new[j].startswith("=="):
                    j += 1
                del new[i:j + 1]
                if body_idx != intro_idx:
                    del new[body_idx:body_idx + 1]
                scen = "vandalism-section-blanking"
            else:
                new.insert(body_idx + 1, r.choice(CB.VANDAL_LINES[lang]))
                scen = "vandalism-nonsense-or-profanity"
        return new, r.choice(CB.VANDAL_COMMENTS[lang]), scen, False
    if label == "personal-attack":
        text, comment = r.choice(CB.ATTACKS[lang])
        editor = r.choice(CB.USERS[lang])
        new.insert(body_idx + 1, text.format(editor=editor))
        return new, comment, "personal-attack-in-article", False
    if label == "private-information":
        text, comment = r.choice(CB.PRIVATE[lang])
        new.insert(body_idx + 1, text)
        return new, comment, "private-contact-details", False
    if label == "blp":
        text = r.choice(CB.BLP[lang]).format(surname=stub.get("surname", p.title), pronoun=stub.get("pronoun", "They"))
        new.insert(body_idx + 1, text)
        return new, r.choice(CB.BLP_COMMENTS[lang]), "blp-unsourced-criminal-allegation", False
    raise ValueError(label)


# --------------------------------------------------------------------------------------------
# Plan: the list of event specs in stream order
# --------------------------------------------------------------------------------------------
ENRICH_QUOTAS = {
    # wiki: {label: count}
    "enwiki": {"ok": 42, "spam": 11, "vandalism": 10, "personal-attack": 5, "private-information": 3, "blp": 3},
    "dewiki": {"ok": 16, "spam": 4, "vandalism": 6, "personal-attack": 2, "private-information": 1, "blp": 1},
    "frwiki": {"ok": 12, "spam": 4, "vandalism": 4, "personal-attack": 1},
    "eswiki": {"ok": 11, "spam": 3, "vandalism": 4, "personal-attack": 1},
    "jawiki": {"ok": 9, "spam": 2, "vandalism": 2},
    "ptwiki": {"ok": 9, "spam": 3, "vandalism": 3, "personal-attack": 1},
    "commonswiki": {"ok": 1, "spam": 1, "vandalism": 1},
    "wikidatawiki": {"ok": 5, "spam": 1, "vandalism": 1},
}
# creations drawn from the quotas above: (wiki, label, stream)
CREATIONS = [("enwiki", "ok", "pc"), ("enwiki", "ok", "rc"), ("enwiki", "ok", "pc"), ("enwiki", "spam", "pc"), ("enwiki", "vandalism", "rc"),
             ("dewiki", "ok", "pc"), ("dewiki", "vandalism", "pc"), ("eswiki", "ok", "rc"), ("jawiki", "ok", "pc"),
             ("frwiki", "ok", "pc"), ("ptwiki", "spam", "rc"), ("wikidatawiki", "ok", "pc")]

# Fixed positions (1-based line numbers in events.jsonl)
N_EVENTS = 257
POS = {
    "malformed": 41,
    "missing_field": 118,
    "unsupported_schema": 187,
    "dup_orig_1": 146, "dup_orig_2": 147, "dup_1": 148, "dup_2": 149,
    "canary_pc_1": 23, "canary_rc": 88, "canary_pc_2": 161, "canary_pc_3": 231,
    "real_pc_enwiki_1.3.0": 12,
    "real_pc_testwd_create": 57, "real_pc_testwd_edit": 63, "real_pc_testwd_vis": 104,
    "real_rc_enwiki_anon": 134, "real_rc_wikidata_bot": 209,
    "realapi_enwiki_920429244": 30, "fault_nosuchrevid_real_920429242": 172,
    "fault_nosuchrevid_dewiki": 77, "fault_hidden_compare_enwiki": 121, "fault_hidden_creation_frwiki": 198,
    "redacted_pc": 95, "redacted_rc": 226,
}


def build_plan(rng):
    specs = []
    # enrichable constructed edits / creations
    creations = list(CREATIONS)
    for wiki, quotas in ENRICH_QUOTAS.items():
        for label, n in quotas.items():
            for _ in range(n):
                c = next((x for x in creations if x[0] == wiki and x[1] == label), None)
                if c:
                    creations.remove(c)
                    specs.append(dict(type="enrich", wiki=wiki, label=label, kind="create", stream=c[2]))
                else:
                    stream = "rc" if rng.random() < 0.22 else "pc"
                    specs.append(dict(type="enrich", wiki=wiki, label=label, kind="edit", stream=stream))
    assert not creations, creations
    # namespace skips: (stream, wiki, ns, user kind, kind)
    ns_skips = [("pc", "enwiki", 1, "established", "edit"), ("pc", "enwiki", 3, "temp", "edit"), ("pc", "enwiki", 3, "established", "edit"),
                ("pc", "enwiki", 4, "established", "edit"), ("pc", "enwiki", 10, "established", "edit"), ("pc", "enwiki", 118, "new", "create"),
                ("pc", "enwiki", 10, "bot", "edit"), ("pc", "dewiki", 1, "established", "edit"), ("pc", "dewiki", 3, "temp", "edit"),
                ("pc", "frwiki", 4, "established", "edit"), ("pc", "jawiki", 2, "established", "edit"), ("pc", "commonswiki", 6, "established", "edit"),
                ("pc", "commonswiki", 6, "bot", "edit"), ("pc", "wikidatawiki", 120, "established", "edit"),
                ("rc", "enwiki", 1, "temp", "edit"), ("rc", "enwiki", 3, "established", "edit"), ("rc", "eswiki", 3, "established", "edit"),
                ("rc", "ptwiki", 4, "established", "edit"), ("rc", "commonswiki", 6, "established", "new"), ("rc", "commonswiki", 14, "established", "edit")]
    for s, w, ns, uk, k in ns_skips:
        specs.append(dict(type="ns_skip", stream=s, wiki=w, ns=ns, ukind=uk, kind=k))
    # bot skips (namespace 0)
    bot_skips = [("pc", "enwiki", "edit"), ("pc", "enwiki", "edit"), ("pc", "enwiki", "edit"), ("pc", "dewiki", "edit"), ("pc", "frwiki", "edit"),
                 ("pc", "jawiki", "edit"), ("pc", "wikidatawiki", "edit"), ("pc", "wikidatawiki", "create"),
                 ("rc", "enwiki", "edit"), ("rc", "eswiki", "edit"), ("rc", "ptwiki", "edit"), ("rc", "wikidatawiki", "edit"), ("rc", "commonswiki", "edit")]
    for s, w, k in bot_skips:
        specs.append(dict(type="bot_skip", stream=s, wiki=w, kind=k))
    # kind skips (real testwikidata visibility_change is placed separately)
    kind_skips = [("pc", "enwiki", "delete"), ("pc", "dewiki", "delete"), ("pc", "eswiki", "delete"),
                  ("pc", "enwiki", "move"), ("pc", "frwiki", "move"), ("pc", "ptwiki", "move"),
                  ("pc", "enwiki", "visibility_change"), ("pc", "dewiki", "visibility_change"), ("pc", "enwiki", "undelete"),
                  ("rc", "enwiki", "log:newusers"), ("rc", "enwiki", "log:delete"), ("rc", "dewiki", "log:block"),
                  ("rc", "commonswiki", "log:upload"), ("rc", "frwiki", "log:protect"), ("rc", "wikidatawiki", "log:delete-bot"),
                  ("rc", "enwiki", "categorize"), ("rc", "commonswiki", "categorize"), ("rc", "dewiki", "categorize"), ("rc", "jawiki", "categorize")]
    for s, w, k in kind_skips:
        specs.append(dict(type="kind_skip", stream=s, wiki=w, kind=k))
    return specs


# --------------------------------------------------------------------------------------------
# Builders for each spec type
# --------------------------------------------------------------------------------------------
DOMAIN_OF = {w: v["domain"] for w, v in WIKIS.items()}
DOMAIN_OF["testwikidatawiki"] = "test.wikidata.org"

WD_DESC = {"Q64": "capital and largest city of Germany", "Q90": "capital and largest city of France",
           "Q1490": "capital and most populous city of Japan", "Q2807": "capital and largest city of Spain",
           "Q84": "capital and largest city of the United Kingdom", "Q7186": "Polish-French physicist and chemist (1867–1934)",
           "Q937": "German-born theoretical physicist (1879–1955)", "Q42": "English author and humourist (1952–2001)"}
WD_ALIASES = {"Q64": "Berlin, Germany", "Q90": "City of Light", "Q1490": "Tokyo Metropolis", "Q2807": "Madrid, Spain",
              "Q84": "Londinium", "Q7186": "Maria Skłodowska-Curie", "Q937": "Einstein", "Q42": "Douglas Noël Adams"}
WD_LABEL_LANGS = ["eu", "cy", "sw", "ga", "lb", "eo", "br", "gl"]


PRIVATE_OK_PAGES = {"Eastfield Academy", "Hollin Bridge", "Gymnasium am Stadtpark", "Lindenau (Musterstadt)"}


def user_kind_for(rng, label):
    x = rng.random()
    if label == "ok":
        return "established" if x < 0.78 else ("temp" if x < 0.95 else "ip")
    if label == "spam":
        return "new" if x < 0.7 else "temp"
    if label == "vandalism":
        return "temp" if x < 0.7 else ("ip" if x < 0.85 else "new")
    if label == "personal-attack":
        return "new" if x < 0.5 else "temp"
    return "temp" if x < 0.6 else "new"


class Builder:
    def __init__(self, g):
        self.g = g
        self.r = g.rng
        self.used_creations = Counter()
        self.out = []  # per line: dict(line, obj, topic, api, label, note)

    # -------- shared: emit an edit on a stateful page
    def emit_edit(self, p, when, user, new_lines, comment, minor, stream, schema_minor, label, scenario, api_override=None,
                  redacted=False, body_html=None, new_size=None):
        g, wiki = self.g, p.wiki
        lang = WIKIS[wiki]["lang"]
        old_lines = list(p.lines)
        rev_id = g.next_rev(wiki)
        old_size = p.rev["size"]
        if new_size is None:
            new_size = p.extra + nbytes(new_lines)
        if body_html is None:
            body_html = render_table_diff(old_lines, new_lines, lang, p.offset)
        sha1 = base36_sha1(f"{wiki}:{p.title}:{rev_id}")
        if stream == "pc":
            prior = g.prior_revision(p, schema_minor, redacted=redacted)
            ev = g.page_change(wiki=wiki, page_id=p.page_id, title=p.title, ns=p.ns, kind="edit", when=when, user=user, rev_id=rev_id,
                               parent=p.rev["rev_id"], size=new_size, sha1=sha1, comment=comment, minor=minor, model=p.model, fmt=p.fmt,
                               prior=prior, schema_minor=schema_minor, redacted=redacted)
        else:
            ev = g.recentchange(wiki=wiki, rc_type="edit", ns=p.ns, title=p.title, when=when, user_text=user["user_text"], bot=False,
                                comment=comment, minor=minor, old_len=old_size, new_len=new_size, old_rev=p.rev["rev_id"], new_rev=rev_id,
                                redacted=redacted)
        api = api_override or g.compare_line(wiki, p, p.rev["rev_id"], rev_id, body_html)
        if label in ("spam", "vandalism", "personal-attack", "private-information", "blp") and not p.snapshots:
            p.snapshots.append((old_lines, user["user_text"], p.rev["user"]["user_text"]))
        p.lines = list(new_lines)
        p.rev = dict(rev_id=rev_id, rev_dt=iso(when), parent=p.rev["rev_id"], size=new_size, sha1=sha1, comment=comment, minor=minor, user=user)
        return dict(obj=ev, topic=TOPIC_PC if stream == "pc" else TOPIC_RC, api=api,
                    label=dict(wiki=wiki, rev_id=rev_id, expected=label, scenario=scenario) if label else None)

    # -------- enrichable constructed events
    def enrich(self, spec, when):
        wiki, label, kind, stream = spec["wiki"], spec["label"], spec["kind"], spec["stream"]
        schema_minor = 3 if self.r.random() < 0.75 else 2
        if kind == "create":
            return self.creation(wiki, label, stream, when, schema_minor)
        if wiki == "wikidatawiki":
            return self.wd_edit(label, stream, when, schema_minor)
        if wiki == "commonswiki":
            return self.commons_edit(label, stream, when, schema_minor)
        return self.article_edit(wiki, label, stream, when, schema_minor)

    def article_edit(self, wiki, label, stream, when, schema_minor, redacted=False, pages=None):
        r, g = self.r, self.g
        lang = WIKIS[wiki]["lang"]
        pages = pages or g.pages[wiki]
        cands = list(pages)
        r.shuffle(cands)
        if label == "blp":
            cands = [p for p in cands if p.is_person]
        elif label == "private-information":
            cands = [p for p in cands if p.is_person or p.title in PRIVATE_OK_PAGES]
        elif label in ("spam", "vandalism", "personal-attack"):
            cands = [p for p in cands if not p.is_person] or cands
        if label != "ok":
            # do not stack bad edits: a later revert then undoes exactly one edit by one user
            cands = [p for p in cands if not p.snapshots] or cands
        elif r.random() < 0.82:
            cands = [p for p in cands if not p.snapshots] + [p for p in cands if p.snapshots]
        else:
            cands = [p for p in cands if p.snapshots] + [p for p in cands if not p.snapshots]
        for p in cands:
            if label == "ok":
                res = op_ok(g, p, lang, force="revert" if p.snapshots else None)
                if not res:
                    continue
                new, comment, scen, minor, op = res
                ukind = "established" if op == "revert" else user_kind_for(r, "ok")
            else:
                new, comment, scen, minor = op_bad(g, p, lang, label, None)
                ukind = user_kind_for(r, label)
            user = g.users.make(wiki, ukind)
            return self.emit_edit(p, when, user, new, comment, minor, stream, schema_minor, label, scen, redacted=redacted)
        raise RuntimeError(f"no page for {wiki} {label}")

    def commons_edit(self, label, stream, when, schema_minor):
        r, g = self.r, self.g
        p = r.choice(g.pages["commonswiki"])
        new = list(p.lines)
        if label == "ok":
            new.insert(new.index("</gallery>"), p.stub["add"])
            comment, scen, minor = "added image", "gallery-image-added", False
            user = g.users.make("commonswiki", "established")
        elif label == "spam":
            new.insert(new.index("</gallery>") + 1, f"* [https://www.canvas-prints-outlet.example.com/{dbkey(p.title).lower()} Buy cheap canvas prints of {p.title} – best price, free shipping!]")
            comment, scen, minor = "", "spam-external-link", False
            user = g.users.make("commonswiki", "new")
        else:
            new.insert(2, f"{p.title.upper()} SUCKS LOL!!!!!! hahahahahaha")
            comment, scen, minor = "", "vandalism-nonsense-or-profanity", False
            user = g.users.make("commonswiki", "ip")
        return self.emit_edit(p, when, user, new, comment, minor, stream, schema_minor, label, scen)

    def wd_edit(self, label, stream, when, schema_minor):
        r, g = self.r, self.g
        items = list(g.pages["wikidatawiki"])
        r.shuffle(items)
        p = min(items, key=lambda x: len(x.wd["claims"]))
        qid, name = p.title, p.stub["label"]
        if label == "ok":
            op = r.choice([o for o in ["label", "alias", "desc", "claim"] if o not in p.wd["claims"]])
            p.wd["claims"].add(op)
            if op == "label":
                lg = r.choice([x for x in WD_LABEL_LANGS if x not in p.wd["labels"]])
                p.wd["labels"][lg] = name
                comment = f"/* wbsetlabel-add:1|{lg} */ {name}"
                body = wb_header("", f"label / {lg}") + wb_added(esc(name))
                delta, scen = 40 + len(name), "wikidata-label-added"
            elif op == "alias":
                al = WD_ALIASES[qid]
                comment = f"/* wbsetaliases-add:1|en */ {al}"
                body = wb_header("", "aliases / en / 0") + wb_added(esc(al))
                delta, scen = 40 + len(al), "wikidata-alias-added"
            elif op == "desc":
                lg = r.choice(["eu", "cy", "lb"])
                d = {"eu": "hiria", "cy": "dinas", "lb": "Stad"}[lg] if not p.is_person else {"eu": "zientzialaria", "cy": "gwyddonydd", "lb": "Wëssenschaftler"}[lg]
                if qid == "Q42":
                    d = {"eu": "idazlea", "cy": "awdur", "lb": "Schrëftsteller"}[lg]
                comment = f"/* wbsetdescription-add:1|{lg} */ {d}"
                body = wb_header("", f"description / {lg}") + wb_added(esc(d))
                delta, scen = 45 + len(d), "wikidata-description-added"
            else:
                if p.is_person:
                    f = f"{name.replace(' ', '_')}_portrait_2026_restored.jpg"
                    comment = f"/* wbsetclaim-create:2||1 */ [[Property:P18]]: {f.replace('_', ' ')}"
                    val = f'<a class="extiw" title="commons:File:{esc(f)}" href="https://commons.wikimedia.org/wiki/File:{esc(f)}">{esc(f.replace("_", " "))}</a>'
                    prop = "P18"
                else:
                    n = r.randint(1000000, 14000000)
                    comment = f"/* wbsetclaim-create:2||1 */ [[Property:P1082]]: {n:,}"
                    val = f"{n:,}"
                    prop = "P1082"
                hdr = "Property / " + wb_link(f"Property:{prop}", CB.WD_PROPS[prop])
                body = wb_header("", hdr) + wb_added(val) + wb_header("", hdr + ": " + val + " / rank") + wb_added("Normal rank")
                delta, scen = 380, "wikidata-statement-added"
        elif label == "vandalism":
            old = WD_DESC[qid]
            p.wd["claims"].add("vandalism")
            newd = r.choice(["stupid poop head lol", "the worst place on earth hahaha", "lol i hate this city so much"])
            if p.is_person:
                newd = "big fat idiot lol"
            comment = f"/* wbsetdescription-set:1|en */ {newd}"
            body = wb_header("description / en", "description / en") + wb_changed(esc(old), esc(newd))
            delta, scen = len(newd) - len(old), "wikidata-description-vandalism"
        else:
            p.wd["claims"].add("spam")
            url = "https://www.cheap-hotels-deals.example.com/" + dbkey(name).lower() + "?aff=wd"
            comment = f"/* wbsetclaim-create:2||1 */ [[Property:P856]]: {url}"
            val = f'<a rel="nofollow" class="external free" href="{esc(url)}">{esc(url)}</a>'
            hdr = "Property / " + wb_link("Property:P856", CB.WD_PROPS["P856"])
            body = wb_header("", hdr) + wb_added(val) + wb_header("", hdr + ": " + val + " / rank") + wb_added("Normal rank")
            delta, scen = 420, "wikidata-spam-official-website"
        ukind = "established" if label == "ok" else ("new" if label == "spam" else "ip")
        user = g.users.make("wikidatawiki", ukind)
        # Wikibase content is JSON and not modelled line by line: diff HTML is built above, size = old + delta
        return self.emit_edit(p, when, user, [], comment, False, stream, schema_minor, label, scen, body_html=body,
                              new_size=p.rev["size"] + delta)

    def creation(self, wiki, label, stream, when, schema_minor, hidden=False, title=None, lines=None, comment=None, user=None):
        r, g = self.r, self.g
        lang = WIKIS[wiki]["lang"]
        model, fmt = "wikitext", "text/x-wiki"
        if wiki == "wikidatawiki":
            qid = f"Q{r.randint(137400000, 137600000)}"
            item = OrderedDict([("type", "item"), ("id", qid),
                                ("labels", {"en": {"language": "en", "value": "Brackenridge Reservoir"}}),
                                ("descriptions", {"en": {"language": "en", "value": "reservoir in West Yorkshire, England"}}),
                                ("aliases", []),
                                ("claims", {"P31": [{"mainsnak": {"snaktype": "value", "property": "P31",
                                                                  "hash": hashlib.sha1(qid.encode()).hexdigest(),
                                                                  "datavalue": {"value": {"entity-type": "item", "numeric-id": 131681, "id": "Q131681"},
                                                                                "type": "wikibase-entityid"}},
                                                     "type": "statement", "id": f"{qid}${r.uuid4().upper()}", "rank": "normal"}]}),
                                ("sitelinks", [])])
            content = json.dumps(item, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
            title, model, fmt = qid, "wikibase-item", "application/json"
            comment = "/* wbeditentity-create-item:0| */"
            scen = "wikidata-item-created"
            user = user or g.users.make(wiki, "established")
        else:
            if title is None:
                bank = CB.CREATIONS[label][lang]
                i = self.used_creations[(label, lang)]
                self.used_creations[(label, lang)] += 1
                title, lines, comment = bank[i]
            content = "\n".join(lines)
            scen = {"ok": "new-article", "spam": "spam-promotional-page", "vandalism": "vandalism-nonsense-page"}.get(label, "hidden")
            if content.startswith("#REDIRECT"):
                scen = "new-redirect"
            user = user or g.users.make(wiki, "established" if label == "ok" else user_kind_for(r, label))
        page_id = g.next_page_id(wiki)
        rev_id = g.next_rev(wiki)
        size = len(content.encode("utf-8"))
        sha1 = base36_sha1(f"{wiki}:{title}:{rev_id}")
        is_redirect = content.startswith("#REDIRECT")
        if stream == "pc":
            ev = g.page_change(wiki=wiki, page_id=page_id, title=title, ns=0, kind="create", when=when, user=user, rev_id=rev_id, parent=None,
                               size=size, sha1=sha1, comment=comment, minor=False, model=model, fmt=fmt, schema_minor=schema_minor,
                               is_redirect=is_redirect)
        else:
            ev = g.recentchange(wiki=wiki, rc_type="new", ns=0, title=title, when=when, user_text=user["user_text"], bot=False,
                                comment=comment, new_len=size, new_rev=rev_id)
        api = g.query_line(wiki, page_id, 0, title, rev_id, model, fmt, content, hidden=hidden)
        lab = None if hidden else dict(wiki=wiki, rev_id=rev_id, expected=label, scenario=scen)
        return dict(obj=ev, topic=TOPIC_PC if stream == "pc" else TOPIC_RC, api=api, label=lab)

    # -------- skips
    def ns_title(self, wiki, ns):
        r = self.r
        k = {"commonswiki": "commons", "wikidatawiki": "wikidata"}.get(wiki, WIKIS[wiki]["lang"])
        nsn = NS_NAMES[k][ns]
        lang = WIKIS[wiki]["lang"]
        arts = [a["title"] for a in CB.ARTICLES.get(lang, [])] or ["Tokyo"]
        users = CB.USERS[k]
        if ns in (1,):
            return f"{nsn}:{r.choice(arts)}"
        if ns in (2,):
            return f"{nsn}:{r.choice(users)}/sandbox"
        if ns == 3:
            return f"{nsn}:{r.choice(users + ['~2026-' + str(r.randint(30000, 40000)) + '-' + str(r.randint(10, 99))])}"
        if ns == 4:
            return {"en": f"{nsn}:Administrators' noticeboard/Incidents", "fr": f"{nsn}:Le Bistro/20 novembre 2026",
                    "pt": f"{nsn}:Esplanada/geral", "de": f"{nsn}:Vandalismusmeldung", "es": f"{nsn}:Café"}.get(k, f"{nsn}:Village pump")
        if ns == 6:
            return f"{nsn}:{r.choice(['Tokyo Tower 2023.jpg', 'Lisbon Alfama rooftops 2022.jpg', 'Alcedo atthis 2021 perch.jpg', 'Osaka Castle keep 2025.jpg'])}"
        if ns == 10:
            return f"{nsn}:{r.choice(['Infobox river', 'Cite book', 'Reflist'])}"
        if ns == 14:
            return f"{nsn}:{r.choice(['Lisbon', 'Tokyo', 'Alcedinidae'])}"
        if ns == 118:
            return f"{nsn}:Eastfield Rovers F.C."
        if ns == 120:
            return f"{nsn}:P1082"
        return f"{nsn}:Example"

    NS_COMMENTS = {1: ["/* Requested move 20 November 2026 */ reply", "/* Population figure */ new section"],
                   2: ["sandbox", "draft"], 3: ["Warning: Vandalism on [[{art}]]. (TW)", "/* November 2026 */ reply", "welcome"],
                   4: ["/* Disruptive editing by ~2026-31442-17 */ new section", "/* Discussion */ comment"],
                   6: ["Added {{Information}}", "/* Summary */ fixed date", "Adding categories"], 10: ["update parameter list", "fix"],
                   14: ["+cat", "parent category"], 118: ["Created page with 'Eastfield Rovers F.C. is an English football club'"],
                   120: ["/* wbsetlabel-set:1|de */ Einwohnerzahl"]}

    def ns_skip(self, spec, when):
        r, g = self.r, self.g
        wiki, ns, stream, kind = spec["wiki"], spec["ns"], spec["stream"], spec["kind"]
        title = self.ns_title(wiki, ns)
        user = g.users.make(wiki, spec["ukind"])
        comment = r.choice(self.NS_COMMENTS[ns]).replace("{art}", r.choice([a["title"] for a in CB.ARTICLES["en"]]))
        page_id = r.randint(100000, WIKIS[wiki]["page"])
        rev_id = g.next_rev(wiki)
        parent = None if kind in ("create", "new") else rev_id - r.randint(500, 3000000)
        old_size, size = r.randint(800, 90000), 0
        size = old_size + r.randint(-300, 1200) if parent else r.randint(200, 4000)
        model = "wikibase-property" if ns == 120 else "wikitext"
        fmt = "application/json" if ns == 120 else "text/x-wiki"
        if stream == "pc":
            prior = None
            if parent:
                pu = g.users.make(wiki, "established")
                prior = OrderedDict([("rev_id", parent), ("rev_dt", iso(when - dt.timedelta(hours=r.randint(1, 900)))), ("is_minor_edit", False),
                                     ("rev_sha1", base36_sha1(f"{wiki}:{title}:{parent}")), ("rev_size", old_size),
                                     ("rev_parent_id", parent - r.randint(100, 90000)), ("comment", ""),
                                     ("editor", performer_for_schema(pu, 3)), ("is_content_visible", True), ("is_editor_visible", True),
                                     ("is_comment_visible", True),
                                     ("content_slots", OrderedDict([("main", OrderedDict([("slot_role", "main"), ("content_model", model),
                                                                                          ("content_sha1", base36_sha1(f"{wiki}:{title}:{parent}")),
                                                                                          ("content_size", old_size), ("content_format", fmt),
                                                                                          ("origin_rev_id", parent)]))]))])
            ev = g.page_change(wiki=wiki, page_id=page_id, title=title, ns=ns, kind="create" if not parent else "edit", when=when, user=user,
                               rev_id=rev_id, parent=parent, size=size, sha1=base36_sha1(f"{wiki}:{title}:{rev_id}"), comment=comment,
                               minor=False, model=model, fmt=fmt, prior=prior)
            topic = TOPIC_PC
        else:
            ev = g.recentchange(wiki=wiki, rc_type="edit" if parent else "new", ns=ns, title=title, when=when, user_text=user["user_text"],
                                bot=bool(user.get("is_bot")), comment=comment, old_len=old_size if parent else None, new_len=size,
                                old_rev=parent, new_rev=rev_id)
            topic = TOPIC_RC
        return dict(obj=ev, topic=topic)

    BOT_EDITS = {
        "enwiki": [("List of rivers of England", "Rescuing 2 sources and tagging 0 as dead.) #IABot (v2.0.9.5"),
                   ("2026 in Japan", "Alter: pages. Add: doi. Formatted [[WP:ENDASH|dashes]]. | [[:en:WP:CITEBOT|Use this bot]]. [[:en:WP:DBUG|Report bugs]]."),
                   ("Hollin Bridge Town F.C.", "Bot: fixing [[WP:BADDATE|date formats]]"), ("Eastfield", "Bot: Fixing [[WP:CHECKWIKI|CheckWiki]] errors")],
        "dewiki": [("Liste der Baudenkmäler in Lindenau", "Bot: Vorlage:Internetquelle – Parameter korrigiert")],
        "frwiki": [("Liste des communes de Saône-et-Loire", "Bot : mise à jour des populations légales")],
        "jawiki": [("2026年の日本", "Bot作業依頼: テンプレートの置換")],
        "eswiki": [("Anexo:Municipios de la provincia de Valladolid", "Bot: actualizando población")],
        "ptwiki": [("Lista de municípios de Minas Gerais", "Bot: atualização de dados do IBGE")],
        "commonswiki": [("Tokyo Tower", "Bot: removing broken file links")],
        "wikidatawiki": [("Q{n}", "/* wbsetreference-add:2| */ [[Property:P1082]]: 3,755,251, see [[Template:Autofix|autofix]]"),
                         ("Q{n}", "/* wbeditentity-create-item:0| */ batch #263012 [[:toollabs:editgroups/b/QSv2/263012|details]]")],
    }

    def bot_skip(self, spec, when):
        r, g = self.r, self.g
        wiki, stream, kind = spec["wiki"], spec["stream"], spec["kind"]
        title, comment = r.choice(self.BOT_EDITS[wiki])
        if kind == "create":
            title, comment = self.BOT_EDITS[wiki][1]
        title = title.replace("{n}", str(r.randint(1000, 130000000)))
        user = g.users.make(wiki, "bot")
        rev_id = g.next_rev(wiki)
        page_id = r.randint(1000, WIKIS[wiki]["page"])
        model = "wikibase-item" if wiki == "wikidatawiki" else "wikitext"
        fmt = "application/json" if wiki == "wikidatawiki" else "text/x-wiki"
        old_size = r.randint(3000, 120000)
        size = old_size + r.randint(-40, 400)
        parent = None if kind == "create" else rev_id - r.randint(1000, 5000000)
        if stream == "pc":
            prior = None
            if parent:
                pu = g.users.make(wiki, "established")
                prior = OrderedDict([("rev_id", parent), ("rev_dt", iso(when - dt.timedelta(hours=r.randint(1, 2000)))), ("is_minor_edit", False),
                                     ("rev_sha1", base36_sha1(f"{wiki}:{title}:{parent}")), ("rev_size", old_size),
                                     ("rev_parent_id", parent - r.randint(100, 90000)), ("comment", ""), ("editor", performer_for_schema(pu, 3)),
                                     ("is_content_visible", True), ("is_editor_visible", True), ("is_comment_visible", True),
                                     ("content_slots", OrderedDict([("main", OrderedDict([("slot_role", "main"), ("content_model", model),
                                                                                          ("content_sha1", base36_sha1(f"{wiki}:{title}:{parent}")),
                                                                                          ("content_size", old_size), ("content_format", fmt),
                                                                                          ("origin_rev_id", parent)]))]))])
            ev = g.page_change(wiki=wiki, page_id=page_id, title=title, ns=0, kind=kind, when=when, user=user, rev_id=rev_id, parent=parent,
                               size=size if parent else r.randint(300, 2000), sha1=base36_sha1(f"{wiki}:{title}:{rev_id}"), comment=comment,
                               minor=True, model=model, fmt=fmt, prior=prior)
            return dict(obj=ev, topic=TOPIC_PC)
        ev = g.recentchange(wiki=wiki, rc_type="edit", ns=0, title=title, when=when, user_text=user["user_text"], bot=True, comment=comment,
                            minor=True, old_len=old_size, new_len=size, old_rev=parent, new_rev=rev_id)
        return dict(obj=ev, topic=TOPIC_RC)

    def kind_skip(self, spec, when):
        r, g = self.r, self.g
        wiki, kind = spec["wiki"], spec["kind"]
        lang = WIKIS[wiki]["lang"]
        if spec["stream"] == "pc":
            user = g.users.make(wiki, "established")
            user = dict(user)
            user["groups"] = ["sysop"] + [x for x in user["groups"] if x != "sysop"] if kind in ("delete", "undelete", "visibility_change") else user["groups"]
            old_rev = WIKIS[wiki]["rev"] - r.randint(100000, 9000000)  # a revision that is not otherwise in the dataset
            size = r.randint(300, 30000)
            old_dt = iso(when - dt.timedelta(days=r.randint(0, 40), hours=r.randint(1, 23), minutes=r.randint(0, 59)))
            common = dict(wiki=wiki, when=when, user=user, size=size, minor=False)
            if kind == "delete":
                title = {"enwiki": "Jake Miller (YouTuber)", "dewiki": "Kevins Gaming Clan", "eswiki": "Pepe el crack"}[wiki]
                reason = {"enwiki": "[[WP:CSD#A7|A7]]: Article about a real person, which does not indicate the importance or significance of the subject",
                          "dewiki": "Kein Artikel: Löschgrund laut [[Wikipedia:Schnelllöschantrag|SLA]]",
                          "eswiki": "[[WP:BR#G3|G3]]: Vandalismo"}[wiki]
                ev = g.page_change(page_id=g.next_page_id(wiki), title=title, ns=0, kind="delete", rev_id=old_rev, parent=old_rev - r.randint(50, 5000),
                                   sha1=base36_sha1(f"{wiki}:{title}:{old_rev}"), comment="", extra_top=OrderedDict([("comment", reason)]),
                                   revision_count=r.randint(2, 4), rev_dt=old_dt, **dict(common, size=r.randint(200, 3000)))
                ev["revision"]["comment"] = "Created page with '" + title + "'"
            elif kind == "undelete":
                title = "Eastfield Rovers F.C."
                ev = g.page_change(page_id=r.randint(100000, WIKIS[wiki]["page"]), title=title, ns=0, kind="undelete", rev_id=old_rev,
                                   parent=old_rev - r.randint(50, 5000), sha1=base36_sha1(f"{wiki}:{title}:{old_rev}"), comment="copyedit",
                                   extra_top=OrderedDict([("comment", "Restored per [[WP:REFUND]]")]), rev_dt=old_dt, **common)
            elif kind == "move":
                old_t, new_t, why = {"enwiki": ("Port Alder Light House", "Port Alder Lighthouse", "spelling"),
                                     "frwiki": ("Moulin de la besbre", "Moulin de la Besbre", "majuscule"),
                                     "ptwiki": ("Rio tapajos", "Rio Tapajós (afluente)", "acentuação")}[wiki]
                pid = r.randint(100000, WIKIS[wiki]["page"])
                nrev = g.next_rev(wiki)
                moved = {"en": "moved page", "fr": "a renommé la page", "pt": "moveu a página"}[lang]
                c = f"{user['user_text']} {moved} [[{old_t}]] to [[{new_t}]]: {why}" if lang == "en" else f"{user['user_text']} {moved} [[{old_t}]] vers [[{new_t}]] : {why}" if lang == "fr" else f"{user['user_text']} {moved} [[{old_t}]] para [[{new_t}]]: {why}"
                redirect = OrderedDict([("is_redirect", True), ("namespace_id", 0), ("page_id", g.next_page_id(wiki)), ("page_title", dbkey(old_t))])
                ev = g.page_change(page_id=pid, title=new_t, ns=0, kind="move", rev_id=nrev, parent=old_rev,
                                   sha1=base36_sha1(f"{wiki}:{old_t}:{old_rev}"), comment=c, minor=True,
                                   extra_top=OrderedDict([("comment", c)]), created_redirect=redirect,
                                   prior_page=OrderedDict([("page_title", dbkey(old_t))]),
                                   prior=OrderedDict([("rev_id", old_rev), ("rev_dt", iso(when - dt.timedelta(days=r.randint(1, 300))))]),
                                   **{k: v for k, v in common.items() if k != "minor"})
            else:  # visibility_change
                title = {"enwiki": "Eastfield Academy", "dewiki": "Gymnasium am Stadtpark"}[wiki]
                ev = g.page_change(page_id=r.randint(100000, WIKIS[wiki]["page"]), title=title, ns=0, kind="visibility_change", rev_id=old_rev,
                                   parent=old_rev - r.randint(50, 5000), sha1=base36_sha1(f"{wiki}:{title}:{old_rev}"), comment="",
                                   visibility=dict(content=False, comment=wiki != "enwiki"),
                                   prior=OrderedDict([("is_content_visible", True)] + ([("is_comment_visible", True)] if wiki == "enwiki" else [])),
                                   rev_dt=old_dt, **common)
            return dict(obj=ev, topic=TOPIC_PC)
        # recentchange log / categorize
        admin = g.users.make(wiki, "established")
        if kind == "categorize":
            cat = {"en": "Category:Castles in Osaka Prefecture", "de": "Kategorie:Burg im Landkreis Bayreuth", "ja": "Category:大阪府の城"}.get(
                lang, "Category:Lisbon")
            if wiki == "commonswiki":
                cat = "Category:Tram 28 (Lisbon)"
            member = {"en": "Osaka Castle", "de": "Burg Rabenstein (Oberfranken)", "ja": "大阪城"}.get(lang, "File:Tram 28 Lisbon 2024.jpg")
            if wiki == "commonswiki":
                member = "File:Tram 28 Lisbon 2024.jpg"
            c = {"en": f"[[:{member}]] added to category", "de": f"[[:{member}]] zur Kategorie hinzugefügt", "ja": f"[[:{member}]] をカテゴリに追加"}[lang]
            ev = g.recentchange(wiki=wiki, rc_type="categorize", ns=14, title=cat, when=when, user_text=admin["user_text"], bot=False, comment=c)
            return dict(obj=ev, topic=TOPIC_RC)
        lt = kind.split(":")[1]
        if lt == "newusers":
            nu = g.users.make(wiki, "new")["user_text"]
            log = OrderedDict([("log_id", r.randint(170000000, 175000000)), ("log_type", "newusers"), ("log_action", "create"),
                               ("log_params", OrderedDict([("userid", r.randint(52000000, 52900000))])), ("log_action_comment", "New user account")])
            ev = g.recentchange(wiki=wiki, rc_type="log", ns=2, title=f"User:{nu}", when=when, user_text=nu, bot=False, comment="", log=log)
        elif lt in ("delete", "delete-bot"):
            t = "Jake is awesome" if lt == "delete" else f"Q{r.randint(130000000, 137000000)}"
            reason = "[[WP:CSD#G3|G3]]: Blatant [[WP:Vandalism|vandalism]]" if lt == "delete" else "Does not meet the [[Project:Notability|notability policy]]"
            log = OrderedDict([("log_id", r.randint(170000000, 175000000)), ("log_type", "delete"), ("log_action", "delete"), ("log_params", []),
                               ("log_action_comment", f"deleted &quot;[[{t}]]&quot;: {reason}")])
            u = g.users.make(wiki, "bot" if lt == "delete-bot" else "established")
            ev = g.recentchange(wiki=wiki, rc_type="log", ns=0, title=t, when=when, user_text=u["user_text"], bot=lt == "delete-bot", comment=reason, log=log)
        elif lt == "block":
            target = "~2026-" + str(r.randint(31000, 33000)) + "-" + str(r.randint(10, 99))
            log = OrderedDict([("log_id", r.randint(170000000, 175000000)), ("log_type", "block"), ("log_action", "block"),
                               ("log_params", OrderedDict([("duration", "1 day"), ("flags", "nocreate")])),
                               ("log_action_comment", f"sperrte „[[Benutzer:{target}|{target}]]“ für einen Zeitraum von: 1 Tag (Erstellung von Benutzerkonten gesperrt): Vandalismus")])
            ev = g.recentchange(wiki=wiki, rc_type="log", ns=2, title=f"Benutzer:{target}", when=when, user_text=admin["user_text"], bot=False,
                                comment="Vandalismus", log=log)
        elif lt == "upload":
            f = "File:Tram 28 Lisbon 2024.jpg"
            log = OrderedDict([("log_id", r.randint(400000000, 420000000)), ("log_type", "upload"), ("log_action", "upload"),
                               ("log_params", OrderedDict([("img_sha1", hashlib.sha1(f.encode()).hexdigest()), ("img_timestamp", iso(when).replace("-", "").replace(":", "").replace("T", "").replace("Z", ""))])),
                               ("log_action_comment", f"uploaded &quot;[[{f}]]&quot;: Uploaded own work with UploadWizard")])
            ev = g.recentchange(wiki=wiki, rc_type="log", ns=6, title=f, when=when, user_text=admin["user_text"], bot=False,
                                comment="Uploaded own work with UploadWizard", log=log)
        else:  # protect
            t = "Tartiflette"
            log = OrderedDict([("log_id", r.randint(170000000, 175000000)), ("log_type", "protect"), ("log_action", "protect"),
                               ("log_params", OrderedDict([("description", "[edit=autoconfirmed] (expire 20 décembre 2026 à 15:00 (UTC))"), ("cascade", False)])),
                               ("log_action_comment", f"a protégé « [[{t}]] » [edit=autoconfirmed] : Vandalisme répété")])
            ev = g.recentchange(wiki=wiki, rc_type="log", ns=0, title=t, when=when, user_text=admin["user_text"], bot=False,
                                comment="Vandalisme répété", log=log)
        return dict(obj=ev, topic=TOPIC_RC)

    # -------- specials
    def canary(self, which, when):
        g, r = self.g, self.r
        if which == "pc":
            try:
                ex = load_ref_json("schema-examples/page_change.1.2.0.examples.json")[0]
            except OSError:
                ex = json.loads(CANARY_PC_EXAMPLE, object_pairs_hook=OrderedDict)
            topic = TOPIC_PC
            stream = "mediawiki.page_change.v1"
        else:
            try:
                ex = load_ref_json("schema-examples/recentchange.1.0.1.examples.json")[0]
            except OSError:
                ex = json.loads(CANARY_RC_EXAMPLE, object_pairs_hook=OrderedDict)
            topic = TOPIC_RC
            stream = "mediawiki.recentchange"
        ev = OrderedDict(ex)
        meta = OrderedDict((k, v) for k, v in ex["meta"].items() if k != "dt")
        meta["domain"] = "canary"
        meta["stream"] = stream
        meta["dt"] = iso(when + dt.timedelta(milliseconds=r.randint(1, 999)), "ms")
        meta["id"] = r.uuid4()
        meta["topic"] = topic
        meta["partition"] = 0
        meta["offset"] = g.next_offset(topic)
        ev["meta"] = meta
        return dict(obj=ev, topic=topic)


CANARY_PC_EXAMPLE = r'''{"$schema":"/mediawiki/page/change/1.2.0","changelog_kind":"update","comment":"changed a thing","dt":"2021-01-01T00:00:00.0Z","meta":{"domain":"examplewiki","dt":"2021-01-01T00:00:00.0Z","stream":"mediawiki.page_change"},"page":{"is_redirect":true,"namespace_id":1,"page_id":1,"page_title":"example","redirect_page_link":{"is_redirect":false,"namespace_id":1,"page_id":2,"page_title":"Redirect_Target"},"revision_count":1},"page_change_kind":"edit","performer":{"user_id":123,"user_text":"yoohoo"},"revision":{"comment":"changed a thing","content_slots":{"main":{"content_format":"text/x-wiki","content_model":"wikitext","content_sha1":"16619839a55cfb5c61bcf520bf9734e0c67f98cc","content_size":100,"origin_rev_id":2,"slot_role":"main"}},"editor":{"user_id":123,"user_text":"example"},"is_comment_visible":true,"is_content_visible":true,"is_editor_visible":true,"is_minor_edit":false,"rev_dt":"2021-01-01T00:00:00.0Z","rev_id":2,"rev_parent_id":1,"rev_sha1":"16619839a55cfb5c61bcf520bf9734e0c67f98cc","rev_size":100},"wiki_id":"example"}'''
CANARY_RC_EXAMPLE = r'''{"$schema":"/mediawiki/recentchange/1.0.1","meta":{"dt":"2020-07-01T00:00:00Z","stream":"mediawiki.recentchange"}}'''


# --------------------------------------------------------------------------------------------
# Filter simulation (the rules from the brief) — used to compute expected.json
# --------------------------------------------------------------------------------------------
PC_REQUIRED = ["$schema", "changelog_kind", "dt", "meta", "page", "page_change_kind", "revision", "wiki_id"]
SCHEMA_RE = re.compile(r"^/mediawiki/(page/change|recentchange)/(\d+)\.(\d+)\.(\d+)$")


def simulate(lines):
    seen = set()
    out = []
    for n, line in enumerate(lines, 1):
        try:
            ev = json.loads(line)
        except json.JSONDecodeError:
            out.append(("dead_letter", "malformed_json", None))
            continue
        sch = ev.get("$schema")
        if not isinstance(sch, str) or not isinstance(ev.get("meta"), dict) or "stream" not in ev["meta"]:
            out.append(("dead_letter", "missing_field", None))
            continue
        m = SCHEMA_RE.match(sch)
        if not m or m.group(2) != "1":
            out.append(("dead_letter", "unsupported_schema", None))
            continue
        fam = "pc" if m.group(1) == "page/change" else "rc"
        if fam == "pc":
            if any(k not in ev for k in PC_REQUIRED) or not all(k in ev["page"] for k in ("page_id", "page_title")) \
                    or not all(k in ev["revision"] for k in ("rev_id", "rev_dt")):
                out.append(("dead_letter", "missing_field", None))
                continue
        else:
            if "dt" not in ev["meta"]:
                out.append(("dead_letter", "missing_field", None))
                continue
        if ev["meta"].get("domain") == "canary":
            out.append(("skipped", "canary", None))
            continue
        if fam == "pc":
            wiki, rev = ev["wiki_id"], ev["revision"]["rev_id"]
        else:
            wiki, rev = ev.get("wiki"), (ev.get("revision") or {}).get("new")
        key = (wiki, rev) if rev is not None else None
        if key is not None and key in seen:
            out.append(("skipped", "duplicate", key))
            continue
        if key is not None:
            seen.add(key)
        kind_ok = ev.get("page_change_kind") in ("edit", "create") if fam == "pc" else ev.get("type") in ("edit", "new")
        if not kind_ok:
            out.append(("skipped", "kind", key))
            continue
        ns = ev["page"].get("namespace_id") if fam == "pc" else ev.get("namespace")
        if ns != 0:
            out.append(("skipped", "namespace", key))
            continue
        bot = (ev.get("performer") or {}).get("is_bot") is True if fam == "pc" else ev.get("bot") is True
        if bot:
            out.append(("skipped", "bot", key))
            continue
        out.append(("enrich", None, key))
    return out


# --------------------------------------------------------------------------------------------
# Real-event handling
# --------------------------------------------------------------------------------------------
def real_event(name):
    rel = dict(REAL_EVENT_FILES)
    files = {
        "real_pc_enwiki_1.3.0": "events/page_change.edit.enwiki.schema-1.3.0.json",
        "real_pc_testwd_create": "events/page_change.item-create.testwikidatawiki.schema-1.2.0.json",
        "real_pc_testwd_edit": "events/page_change.item-edit.testwikidatawiki.schema-1.2.0.json",
        "real_pc_testwd_vis": "events/page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json",
        "real_rc_enwiki_anon": "events/recentchange.edit.enwiki.2021-09-15.anon-ipv6.json",
        "real_rc_wikidata_bot": "events/recentchange.edit.wikidatawiki.2022.bot.json",
    }
    f = files[name]
    obj = load_ref_json(f)
    if rel[f] == "sse_wrapped":
        return f, obj["sse_data"], obj["sse_id"]
    return f, obj, None


class FakePage:
    def __init__(self, wiki, title, page_id, ns=0, model="wikitext", fmt="text/x-wiki"):
        self.wiki, self.title, self.page_id, self.ns, self.model, self.fmt = wiki, title, page_id, ns, model, fmt


def build_real(b, name, when):
    g = b.g
    f, ev, sse_id = real_event(name)
    topic = TOPIC_RC if "recentchange" in f else TOPIC_PC
    item = dict(obj=ev, topic=topic, source=f, verbatim=True)
    if name == "real_pc_enwiki_1.3.0":
        p = FakePage("enwiki", "Anees (musician)", ev["page"]["page_id"])
        old = ["{{Short description|American singer and songwriter}}", "{{Use mdy dates|date=October 2025}}",
               "'''Anees''' is a singer, songwriter and rapper.", "", "== Early life =="]
        new = list(old)
        new[2] = "'''Anees''' is a [[singer]], [[songwriter]] and [[Rapping|rapper]]."
        body = render_table_diff(old, new, "en", 0)
        item["api"] = g.compare_line("enwiki", p, ev["revision"]["rev_parent_id"], ev["revision"]["rev_id"], body)
        item["label"] = dict(wiki="enwiki", rev_id=ev["revision"]["rev_id"], expected="ok", scenario="wikilink-added")
    elif name == "real_pc_testwd_create":
        content = json.dumps(OrderedDict([("type", "item"), ("id", "Q235989"),
                                          ("labels", {"en": {"language": "en", "value": "WDQS Updater Test Item"}}),
                                          ("descriptions", {"en": {"language": "en", "value": "This is a WDQS Updater Test Item"}}),
                                          ("aliases", []), ("claims", []), ("sitelinks", [])]), ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
        api = g.query_line("wikidatawiki", ev["page"]["page_id"], 0, "Q235989", ev["revision"]["rev_id"], "wikibase-item", "application/json", content)
        api["domain"] = "test.wikidata.org"
        item["api"] = api
        item["label"] = dict(wiki="testwikidatawiki", rev_id=ev["revision"]["rev_id"], expected="ok", scenario="wikidata-item-created")
    elif name == "real_pc_testwd_edit":
        p = FakePage("testwikidatawiki", "Q235989", ev["page"]["page_id"])
        hdr = "Property / " + wb_link("Property:P82", "P82")
        val = wb_link("Q231559", "Q231559")
        body = wb_header("", hdr) + wb_added(val) + wb_header("", hdr + ": " + val + " / rank") + wb_added("Normal rank")
        api = g.compare_line("wikidatawiki", p, ev["revision"]["rev_parent_id"], ev["revision"]["rev_id"], body)
        api["domain"] = "test.wikidata.org"
        item["api"] = api
        item["label"] = dict(wiki="testwikidatawiki", rev_id=ev["revision"]["rev_id"], expected="ok", scenario="wikidata-statement-added")
    elif name == "real_rc_enwiki_anon":
        p = FakePage("enwiki", ev["title"], 160337)
        old = ["", "== Racial statement ==", "{{Expand section|date=Sept 2021}}", "", "== Personal life =="]
        new = list(old)
        new[2] = "{{Expand section|date=September 2021}}"
        body = render_table_diff(old, new, "en", 212)
        item["api"] = g.compare_line("enwiki", p, ev["revision"]["old"], ev["revision"]["new"], body)
        item["label"] = dict(wiki="enwiki", rev_id=ev["revision"]["new"], expected="ok", scenario="typo-fix")
        item["sse_id_recorded"] = sse_id
    return item


def build_realapi_920429244(b, when):
    g = b.g
    try:
        rec = load_ref_json(REAL_COMPARE_920429244)["res"]["data"]
        q = load_ref_json(REAL_QUERY_920429244)["res"]["data"]["query"]["pages"]["1698014"]["revisions"][0]
        comment, user_text = q["comment"], q["user"]
    except OSError:
        raise SystemExit("reference file missing: " + REAL_COMPARE_920429244)
    c = rec["compare"]
    user = OrderedDict([("user_text", user_text), ("groups", ["extendedconfirmed", "*", "user", "autoconfirmed"]), ("is_bot", False),
                        ("is_system", False), ("is_temp", False), ("user_id", 30481187), ("registration_dt", "2017-02-11T04:12:55Z"),
                        ("edit_count", 14422)])
    pu = g.users.make("enwiki", "established")
    prior = OrderedDict([("rev_id", c["fromrevid"]), ("rev_dt", "2019-09-01T10:02:33Z"), ("is_minor_edit", False),
                         ("rev_sha1", base36_sha1(f"enwiki:Ishiyama Hongan-ji:{c['fromrevid']}")), ("rev_size", 17905),
                         ("rev_parent_id", 913911870), ("comment", ""), ("editor", performer_for_schema(pu, 2)),
                         ("is_content_visible", True), ("is_editor_visible", True), ("is_comment_visible", True),
                         ("content_slots", OrderedDict([("main", OrderedDict([("slot_role", "main"), ("content_model", "wikitext"),
                                                                              ("content_sha1", base36_sha1(f"enwiki:Ishiyama Hongan-ji:{c['fromrevid']}")),
                                                                              ("content_size", 17905), ("content_format", "text/x-wiki"),
                                                                              ("origin_rev_id", c["fromrevid"])]))]))])
    ev = g.page_change(wiki="enwiki", page_id=c["toid"], title=c["totitle"], ns=0, kind="edit", when=when, user=user, rev_id=c["torevid"],
                       parent=c["fromrevid"], size=17898, sha1=base36_sha1(f"enwiki:Ishiyama Hongan-ji:{c['torevid']}"), comment=comment,
                       minor=True, prior=prior, schema_minor=2)
    api = OrderedDict([("domain", "en.wikipedia.org"), ("action", "compare"), ("fromrev", c["fromrevid"]), ("torev", c["torevid"]),
                       ("status", 200), ("formatversion", 1), ("source", "recorded: " + REAL_COMPARE_920429244 + " (res.data verbatim)"),
                       ("body", rec)])
    return dict(obj=ev, topic=TOPIC_PC, api=api,
                label=dict(wiki="enwiki", rev_id=c["torevid"], expected="ok", scenario="category-changed"), source="constructed event around recorded API response")


def build_fault(b, name, when):
    g, r = b.g, b.r
    if name == "fault_nosuchrevid_real_920429242":
        rec = load_ref_json(REAL_NOSUCHREVID_920429242)["res"]["data"]
        rev_id, parent = 920429242, 920411587
        user = g.users.make("enwiki", "temp")
        pu = g.users.make("enwiki", "established")
        p = Page("enwiki", "Kennyo", 0, 1701284, [], 0, 9412)
        p.rev = dict(rev_id=parent, rev_dt="2019-10-09T17:02:11Z", parent=920306719, size=9412, sha1=base36_sha1("enwiki:Kennyo:920411587"),
                     comment="", minor=False, user=pu)
        ev = g.page_change(wiki="enwiki", page_id=p.page_id, title=p.title, ns=0, kind="edit", when=when, user=user, rev_id=rev_id, parent=parent,
                           size=9431, sha1=base36_sha1("enwiki:Kennyo:920429242"), comment="", minor=False, prior=g.prior_revision(p, 3))
        api = OrderedDict([("domain", "en.wikipedia.org"), ("action", "compare"), ("fromrev", parent), ("torev", rev_id), ("status", 200),
                           ("formatversion", 1), ("source", "recorded: " + REAL_NOSUCHREVID_920429242 + " (res.data verbatim)"), ("body", rec)])
        return dict(obj=ev, topic=TOPIC_PC, api=api, fault="nosuchrevid", source="constructed event; API error recorded")
    if name == "fault_nosuchrevid_dewiki":
        p = Page("dewiki", "Musterburg", 0, 1290344, [], 0, 21877)
        rev_id = g.next_rev("dewiki")
        parent = rev_id - r.randint(2000, 90000)
        user = g.users.make("dewiki", "temp")
        ev = g.recentchange(wiki="dewiki", rc_type="edit", ns=0, title=p.title, when=when, user_text=user["user_text"], bot=False, comment="",
                            old_len=21877, new_len=21902, old_rev=parent, new_rev=rev_id)
        api = g.error_line_fv2("dewiki", parent, rev_id, "nosuchrevid", f"There is no revision with ID {rev_id}.")
        return dict(obj=ev, topic=TOPIC_RC, api=api, fault="nosuchrevid")
    if name == "fault_hidden_compare_enwiki":
        p = Page("enwiki", "Port Alder", 0, 61442918, [], 0, 33190)
        pu = g.users.make("enwiki", "established")
        rev_id = g.next_rev("enwiki")
        parent = rev_id - r.randint(5000, 900000)
        p.rev = dict(rev_id=parent, rev_dt=iso(when - dt.timedelta(days=3, minutes=17)), parent=parent - 41210, size=33190,
                     sha1=base36_sha1(f"enwiki:Port Alder:{parent}"), comment="/* Economy */ update", minor=False, user=pu)
        user = g.users.make("enwiki", "temp")
        ev = g.page_change(wiki="enwiki", page_id=p.page_id, title=p.title, ns=0, kind="edit", when=when, user=user, rev_id=rev_id, parent=parent,
                           size=33402, sha1=base36_sha1(f"enwiki:Port Alder:{rev_id}"), comment="/* Notable people */", minor=False,
                           prior=g.prior_revision(p, 3))
        api = g.error_line_fv2("enwiki", parent, rev_id, "missingcontent", f"Missing content for revision ID {rev_id}.")
        # compare says missingcontent for hidden and suppressed text alike; the worker then asks prop=revisions
        # (ids|flags|user|comment|sha1), which says sha1hidden for revision-deleted text (a real MediaWiki 1.39's shape).
        revisions = OrderedDict([("batchcomplete", True), ("query", OrderedDict([("pages", [OrderedDict([
            ("pageid", p.page_id), ("ns", 0), ("title", p.title), ("revisions", [
                OrderedDict([("revid", parent), ("parentid", parent - 1), ("minor", False), ("user", pu["user_text"]), ("timestamp", iso(when - dt.timedelta(days=1))),
                             ("size", 33390), ("sha1", base36_sha1(f"enwiki:Port Alder:{parent}")), ("comment", "/* Economy */ update")]),
                OrderedDict([("revid", rev_id), ("parentid", parent), ("minor", False), ("user", user["user_text"]), ("timestamp", iso(when)),
                             ("size", 33402), ("sha1hidden", True), ("comment", "/* Notable people */")]),
            ])])])]))])
        extra = OrderedDict([("domain", "en.wikipedia.org"), ("action", "query"), ("revids", [rev_id, parent]), ("status", 200), ("body", revisions)])
        return dict(obj=ev, topic=TOPIC_PC, api=api, extra_api=[extra], fault="hidden")
    if name == "fault_hidden_creation_frwiki":
        user = g.users.make("frwiki", "temp")
        res = b.creation("frwiki", "hidden", "pc", when, 3, hidden=True, title="Lucas Dumont (collégien)",
                         lines=["Lucas Dumont est un élève du collège Jean-Moulin."], comment="Page créée avec « Lucas Dumont est un élève du collège Jean-Moulin »",
                         user=user)
        res["fault"] = "hidden"
        return res
    raise ValueError(name)


def build_dead(b, name, when):
    """Constructed ns-0 edit that does NOT touch page state, then broken on purpose."""
    g, r = b.g, b.r
    p = Page("enwiki", {"malformed": "Saturn V", "missing_field": "Kingfisher", "unsupported_schema": "Sourdough"}[name], 0,
             r.randint(100000, 9000000), [], 0, r.randint(8000, 40000))
    pu = g.users.make("enwiki", "established")
    rev_id = g.next_rev("enwiki")
    parent = rev_id - r.randint(10000, 900000)
    p.rev = dict(rev_id=parent, rev_dt=iso(when - dt.timedelta(days=2)), parent=parent - 7781, size=p.extra, sha1=base36_sha1(f"x:{parent}"),
                 comment="", minor=False, user=pu)
    user = g.users.make("enwiki", "established")
    ev = g.page_change(wiki="enwiki", page_id=p.page_id, title=p.title, ns=0, kind="edit", when=when, user=user, rev_id=rev_id, parent=parent,
                       size=p.extra + 57, sha1=base36_sha1(f"x:{rev_id}"), comment="copyedit", minor=True, prior=g.prior_revision(p, 3))
    if name == "malformed":
        s = dumps(ev)
        cut = int(len(s) * 0.58)
        return dict(raw=s[:cut], topic=TOPIC_PC, obj=None, dead="malformed_json")
    if name == "missing_field":
        del ev["revision"]
        return dict(obj=ev, topic=TOPIC_PC, dead="missing_field")
    ev["$schema"] = "/mediawiki/page/change/2.0.0"
    return dict(obj=ev, topic=TOPIC_PC, dead="unsupported_schema")


# --------------------------------------------------------------------------------------------
# Main assembly
# --------------------------------------------------------------------------------------------
def generate():
    g = Gen()
    b = Builder(g)
    rng = g.rng
    specs = build_plan(rng)
    rng.shuffle(specs)
    fixed = {v: k for k, v in POS.items()}
    n_fixed_new = len([k for k in POS if not k.startswith("dup_orig")])
    assert len(specs) + n_fixed_new == N_EVENTS, (len(specs), n_fixed_new)

    # timeline
    steps = [rng.uniform(1.5, 7.9) for _ in range(N_EVENTS)]
    scale = SPAN_S / sum(steps)
    times, t = [], 0.0
    for s in steps:
        t += s * scale
        times.append(T0 + dt.timedelta(seconds=round(t, 3)))

    whole = []
    for t_ in times:  # whole seconds, strictly increasing, so meta.dt (+ <1 s) stays ordered per topic
        w_ = t_.replace(microsecond=0)
        whole.append(max(w_, whole[-1] + dt.timedelta(seconds=1)) if whole else w_)
    assert whole[-1] <= T0 + dt.timedelta(minutes=20)

    items = []
    for pos in range(1, N_EVENTS + 1):
        when = whole[pos - 1]
        name = fixed.get(pos)
        if name is None or name.startswith("dup_orig"):
            if name and name.startswith("dup_orig"):
                idx = next(i for i, s in enumerate(specs) if s["type"] == "enrich" and s["stream"] == "pc" and s["kind"] == "edit"
                           and s["wiki"] == "enwiki" and s["label"] == "ok")
                spec = specs.pop(idx)
            else:
                spec = specs.pop(0)
            if spec["type"] == "enrich":
                it = b.enrich(spec, when)
                if name and name.startswith("dup_orig"):
                    # keep the original on the 1.3.0 schema
                    pass
            elif spec["type"] == "ns_skip":
                it = b.ns_skip(spec, when)
            elif spec["type"] == "bot_skip":
                it = b.bot_skip(spec, when)
            else:
                it = b.kind_skip(spec, when)
            it.setdefault("source", "constructed")
        elif name in ("dup_1", "dup_2"):
            orig = items[POS["dup_orig_1" if name == "dup_1" else "dup_orig_2"] - 1]
            it = dict(obj=orig["obj"], topic=orig["topic"], duplicate_of=POS["dup_orig_1" if name == "dup_1" else "dup_orig_2"],
                      source="exact replay of line %d" % POS["dup_orig_1" if name == "dup_1" else "dup_orig_2"])
        elif name.startswith("canary"):
            it = b.canary("rc" if name == "canary_rc" else "pc", when)
            it["source"] = "constructed from the schema example (as CanaryEventProducer does)"
        elif name.startswith("real_"):
            it = build_real(b, name, when)
        elif name == "realapi_enwiki_920429244":
            it = build_realapi_920429244(b, when)
        elif name.startswith("fault_"):
            it = build_fault(b, name, when)
            it.setdefault("source", "constructed")
        elif name in ("malformed", "missing_field", "unsupported_schema"):
            it = build_dead(b, name, when)
            it["source"] = "constructed, deliberately broken"
        elif name == "redacted_pc":
            it = b.article_edit("enwiki", "ok", "pc", when, 3, redacted=True)
            it["source"] = "constructed (EventStreams redaction: performer={}, editor removed)"
        elif name == "redacted_rc":
            it = b.article_edit("dewiki", "ok", "rc", when, 3, redacted=True)
            it["source"] = "constructed (EventStreams redaction: user removed)"
        else:
            raise ValueError(name)
        it["name"] = name
        it["when"] = when
        items.append(it)
    assert not specs, specs

    # ---------------- serialise events
    lines = []
    for it in items:
        lines.append(it["raw"] if it.get("raw") is not None else dumps(it["obj"]))
    sim = simulate(lines)

    # ---------------- SSE capture
    latest = OrderedDict((t, None) for t in SSE_TOPICS)
    sse = [":ok\n\n"]
    ids = []
    for i, (it, line) in enumerate(zip(items, lines)):
        if it.get("duplicate_of"):
            if it["name"] == "dup_1":
                sse.append(":ok\n\n")  # reconnect with an older Last-Event-ID → the next two events are replayed
            id_str = ids[it["duplicate_of"] - 1]
        else:
            ts = None
            obj = it.get("obj")
            mdt = (obj or {}).get("meta", {}).get("dt") if isinstance(obj, dict) else None
            if mdt and mdt.startswith("2026-11-20"):
                ts = dt.datetime.fromisoformat(mdt.replace("Z", "+00:00"))
            else:
                ts = it["when"] + dt.timedelta(milliseconds=417)
            latest[it["topic"]] = int(ts.timestamp() * 1000) + 1
            arr = []
            for t, v in latest.items():
                if v is None:
                    arr.append(OrderedDict([("topic", t), ("partition", 0), ("offset", -1)]))
                else:
                    arr.append(OrderedDict([("topic", t), ("partition", 0), ("timestamp", v)]))
            id_str = dumps(arr)
        ids.append(id_str)
        sse.append(f"event: message\nid: {id_str}\ndata: {line}\n\n")
    sse_text = "".join(sse)

    # ---------------- API lines / labels / outcomes
    api_lines, labels, outcomes = [], [], []
    faults = {}
    for n, (it, (outcome, reason, key)) in enumerate(zip(items, sim), 1):
        rec = OrderedDict([("line", n), ("outcome", outcome if outcome != "skipped" else "skipped"), ("reason", reason)])
        obj = it.get("obj")
        if isinstance(obj, dict):
            if "wiki_id" in obj:
                rec["wiki"] = obj["wiki_id"]
                rec["rev_id"] = (obj.get("revision") or {}).get("rev_id")
                rec["kind"] = obj.get("page_change_kind")
                rec["ns"] = obj.get("page", {}).get("namespace_id")
            elif "wiki" in obj:
                rec["wiki"] = obj["wiki"]
                rec["rev_id"] = (obj.get("revision") or {}).get("new")
                rec["kind"] = obj.get("type")
                rec["ns"] = obj.get("namespace")
            rec["schema"] = obj.get("$schema")
        rec["source"] = it.get("source", "constructed")
        if outcome == "enrich":
            api = it.get("api")
            assert api is not None, (n, it["name"])
            api_lines.append(dumps(api))
            api_lines.extend(dumps(extra) for extra in it.get("extra_api", []))
            if it.get("fault"):
                faults.setdefault(it["fault"], []).append(OrderedDict([("wiki", key[0]), ("rev_id", key[1]), ("line", n)]))
                rec["enrich"] = it["fault"]
            else:
                lab = it["label"]
                labels.append(dumps(OrderedDict([("wiki", lab["wiki"]), ("rev_id", lab["rev_id"]), ("expected", lab["expected"]),
                                                 ("scenario", lab["scenario"])])))
                rec["enrich"] = "ok"
                rec["expected"] = lab["expected"]
        outcomes.append(dumps(rec))

    c = Counter((o, r) for o, r, _ in sim)
    label_counts = Counter(json.loads(x)["expected"] for x in labels)
    expected = OrderedDict([
        ("events", len(lines)),
        ("skipped", OrderedDict([(k, c[("skipped", k)]) for k in ["bot", "namespace", "canary", "kind", "duplicate"]])),
        ("dead_lettered", OrderedDict([(k, c[("dead_letter", k)]) for k in ["malformed_json", "missing_field", "unsupported_schema"]])),
        ("to_enrich", c[("enrich", None)]),
        ("enrich_skips", OrderedDict([("nosuchrevid", len(faults.get("nosuchrevid", []))), ("hidden", len(faults.get("hidden", [])))])),
        ("classified", c[("enrich", None)] - sum(len(v) for v in faults.values())),
        ("labels", OrderedDict((k, label_counts[k]) for k in ["ok", "spam", "vandalism", "personal-attack", "private-information", "blp"])),
        ("bad_lines", OrderedDict([("malformed_json", POS["malformed"]), ("missing_field", POS["missing_field"]),
                                   ("unsupported_schema", POS["unsupported_schema"])])),
        ("duplicate_lines", [OrderedDict([("line", POS["dup_1"]), ("duplicate_of", POS["dup_orig_1"])]),
                             OrderedDict([("line", POS["dup_2"]), ("duplicate_of", POS["dup_orig_2"])])]),
        ("fault_revisions", OrderedDict((k, faults.get(k, [])) for k in ["nosuchrevid", "hidden"])),
        ("filter_order", ["dead_letter(malformed_json|missing_field|unsupported_schema)", "canary", "duplicate(wiki_id,rev_id)",
                          "kind(page_change edit|create; recentchange edit|new)", "namespace(0)", "bot"]),
    ])
    assert expected["skipped"]["duplicate"] == 2
    stats = dict(items=items, sim=sim, lines=lines)
    readme = render_readme(expected, stats)
    files = OrderedDict()
    files["events.jsonl"] = ("\n".join(lines) + "\n").encode("utf-8")
    files["events.sse.txt"] = sse_text.encode("utf-8")
    files["wiki-api.jsonl"] = ("\n".join(api_lines) + "\n").encode("utf-8")
    files["labels.jsonl"] = ("\n".join(labels) + "\n").encode("utf-8")
    files["outcomes.jsonl"] = ("\n".join(outcomes) + "\n").encode("utf-8")
    files["expected.json"] = (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files["README.md"] = readme.encode("utf-8")
    return files


# --------------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------------
REAL_PROVENANCE = {
    "events/page_change.edit.enwiki.schema-1.3.0.json":
        "wikimedia/machinelearning-liftwing-inference-services `test/unit/revise_tone_task_generator/sample_payload.json` (unwrapped from `{\"event\": …}`) @ bce944c",
    "events/page_change.item-create.testwikidatawiki.schema-1.2.0.json":
        "wikimedia/wikidata-query-rdf `streaming-updater-producer/src/test/resources/page_change_events/wikibase/*.json` @ c010618",
    "events/page_change.item-edit.testwikidatawiki.schema-1.2.0.json":
        "wikimedia/wikidata-query-rdf `streaming-updater-producer/src/test/resources/page_change_events/wikibase/*.json` @ c010618",
    "events/page_change.item-visibility-change.testwikidatawiki.schema-1.2.0.json":
        "wikimedia/wikidata-query-rdf `streaming-updater-producer/src/test/resources/page_change_events/wikibase/*.json` @ c010618",
    "events/recentchange.edit.enwiki.2021-09-15.anon-ipv6.json":
        "scramjetorg/platform-docs `samples/mediawiki/README.md` (the `sse_data` part; its recorded SSE id is not reused, see below)",
    "events/recentchange.edit.wikidatawiki.2022.bot.json":
        "wikimedia/pywikibot `pywikibot/comms/eventstreams.py` class docstring @ 31c4e3f (pprint dict converted to JSON)",
    REAL_COMPARE_920429244: "google/wikiloop-doublecheck `test/testdata/mwapi/small/enwiki:920429244.json` item 1 @ 82b2f3d",
    REAL_NOSUCHREVID_920429242: "google/wikiloop-doublecheck `test/testdata/mwapi/small/enwiki:920429244.json` item 7 @ 82b2f3d",
    REAL_QUERY_920429244: "google/wikiloop-doublecheck `test/testdata/mwapi/small/enwiki:920429244.json` item 0 @ 82b2f3d",
}


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x) for x in r) + " |")
    return "\n".join(out)


def render_readme(expected, stats):
    items, sim, lines = stats["items"], stats["sim"], stats["lines"]
    ex = expected
    # composition per wiki/stream
    comp = Counter()
    for it, (o, r, k) in zip(items, sim):
        obj = it.get("obj") if isinstance(it.get("obj"), dict) else None
        if obj is None:
            fam = "page_change"
            wiki = "enwiki"
        else:
            fam = "recentchange" if "recentchange" in obj.get("$schema", "") else "page_change"
            wiki = obj.get("wiki_id") or obj.get("wiki") or "(canary)"
            if obj.get("meta", {}).get("domain") == "canary":
                wiki = "(canary)"
        comp[(wiki, fam)] += 1
    wikis = sorted({w for w, _ in comp})
    comp_rows = [(w, comp[(w, "page_change")], comp[(w, "recentchange")], comp[(w, "page_change")] + comp[(w, "recentchange")]) for w in wikis]
    n_pc = sum(v for (w, f), v in comp.items() if f == "page_change")
    n_rc = sum(v for (w, f), v in comp.items() if f == "recentchange")
    comp_rows.append(("**total**", n_pc, n_rc, n_pc + n_rc))

    sk, dl = ex["skipped"], ex["dead_lettered"]
    n_sk, n_dl = sum(sk.values()), sum(dl.values())
    outcome_rows = [
        ("**to enrich** (pass the filter; one `wiki-api.jsonl` line each)", ex["to_enrich"], ""),
        ("&nbsp;&nbsp;of which classified (API returns a diff / content)", ex["classified"], "label in `labels.jsonl`"),
        ("&nbsp;&nbsp;of which enrich-skip `nosuchrevid`", ex["enrich_skips"]["nosuchrevid"], "rev ids below"),
        ("&nbsp;&nbsp;of which enrich-skip `hidden` (revision-deleted text)", ex["enrich_skips"]["hidden"], "rev ids below"),
        ("**skipped**", n_sk, f"{100 * n_sk / ex['events']:.1f} % of all lines"),
        ("&nbsp;&nbsp;canary (`meta.domain == \"canary\"`)", sk["canary"], "checked before everything except dead-lettering"),
        ("&nbsp;&nbsp;duplicate (`(wiki_id, rev_id)` already seen)", sk["duplicate"], f"lines {ex['duplicate_lines'][0]['line']}, {ex['duplicate_lines'][1]['line']}"),
        ("&nbsp;&nbsp;kind (delete/move/visibility_change/undelete; rc log/categorize)", sk["kind"], ""),
        ("&nbsp;&nbsp;namespace (≠ 0)", sk["namespace"], ""),
        ("&nbsp;&nbsp;bot (`performer.is_bot` / `bot: true`)", sk["bot"], ""),
        ("**dead-lettered**", n_dl, ""),
        ("&nbsp;&nbsp;malformed JSON", dl["malformed_json"], f"line {ex['bad_lines']['malformed_json']}"),
        ("&nbsp;&nbsp;missing required field", dl["missing_field"], f"line {ex['bad_lines']['missing_field']} (page_change without `revision`)"),
        ("&nbsp;&nbsp;unsupported schema", dl["unsupported_schema"], f"line {ex['bad_lines']['unsupported_schema']} (`/mediawiki/page/change/2.0.0`)"),
        ("**total lines**", ex["events"], ""),
    ]
    # kinds among skipped-by-kind
    kinds = Counter()
    for it, (o, r, k) in zip(items, sim):
        if r == "kind":
            obj = it["obj"]
            kinds[obj.get("page_change_kind") or ("log/" + obj.get("log_type", "")) if obj.get("type") == "log" else (obj.get("page_change_kind") or obj.get("type"))] += 1
    real_rows = []
    for n, it in enumerate(items, 1):
        src = it.get("source", "")
        if it["name"] and (it["name"].startswith("real_") or it["name"] in ("realapi_enwiki_920429244", "fault_nosuchrevid_real_920429242")):
            f = src if src.startswith("events/") else (REAL_COMPARE_920429244 if it["name"] == "realapi_enwiki_920429244" else REAL_NOSUCHREVID_920429242)
            what = "event payload verbatim (key order kept, re-serialised compactly)" if src.startswith("events/") else \
                "constructed event; its `wiki-api.jsonl` line wraps the recorded API response verbatim"
            o, r, _ = sim[n - 1]
            real_rows.append((n, f"`{f}`", what, f"{o}{' / ' + r if r else ''}", REAL_PROVENANCE.get(f, "")))
    faults = ex["fault_revisions"]
    def fault_desc(k, x):
        if k == "nosuchrevid":
            if x["rev_id"] == 920429242:
                return ("**recorded** error, verbatim: `{error:{code:nosuchrevid, info:\"There is no revision with ID 920429242.\", *:…}, servedby}` "
                        "(formatversion=1 shape)")
            return ("`{error:{code:\"nosuchrevid\", info:\"There is no revision with ID N.\", docref}, servedby}` (formatversion=2 shape, as in the "
                    "recorded `wikidatawiki.error.multisource.json`)")
        if x["wiki"] == "enwiki":
            return ("compare → `{error:{code:\"missingcontent\", info:\"Missing content for revision ID N.\", docref}, servedby}`; "
                    "then prop=revisions of the revision and its parent → `sha1hidden: true` on the revision")
        return "query → `revisions[0].slots.main = {contentmodel, texthidden:true}` with no `content`"
    fault_rows = "\n".join(f"| {k} | {x['wiki']} | {x['rev_id']} | {x['line']} | {fault_desc(k, x)} |" for k in ("nosuchrevid", "hidden") for x in faults[k])
    line_of = {it["name"]: n for n, it in enumerate(items, 1) if it.get("name")}
    scen = Counter(it["label"]["scenario"] for it in items if it.get("label") and not it.get("fault"))
    n_revert = scen.get("revert-of-bad-edit", 0)
    lab_rows = [(k, v, f"{100 * v / max(1, ex['classified']):.0f} %") for k, v in ex["labels"].items()]

    return f"""# Demo dataset: Wikimedia edit events → diffs → labels

This folder is test and demo input for Safeguard.Stream. It holds a 20-minute slice of EventStreams
traffic (2026-11-20 14:00–14:20 UTC) and the MediaWiki Action API responses the worker would fetch
for it. It also holds the labels a stand-in classifier should roughly reproduce.

> **Most of this data is CONSTRUCTED for the demo. These are not real edits.**
> All diff text, all page content, all user names (except the few in the recorded events listed below),
> and all page ids and revision ids that are not in those recorded events were invented by `generate.py`
> with a fixed seed. Persons in the BLP and private-information cases are fictional. Phone numbers
> use ranges reserved for fiction (US 555-01xx, UK 07700 900xxx, DE 030 23125xxx). All "commercial"
> links point to the reserved `example.com/.net/.org` domains. The only real data are the recorded lines in
> [Real recorded data](#real-recorded-data-provenance). The event *shapes* follow the real schemas and
> samples in `shared/reference/wikimedia/`.

Regenerate with `python3 tests/data/demo/generate.py`. The script is deterministic (seed {SEED}).
`--check` reports whether the files on disk are up to date. `python3 tests/data/demo/validate.py` checks
the invariants listed at the end of this file. Both scripts use the Python 3.11 standard library only.
`content_bank.py` holds the invented wikitext that `generate.py` uses.

## Files

| file | what |
|---|---|
| `events.jsonl` | {ex['events']} lines, one EventStreams `data:` payload per line, in stream order. About {100 * n_rc / ex['events']:.0f} % are `mediawiki/recentchange/1.0.0` and the rest are `mediawiki/page/change/1.2.0` or `1.3.0`. Line {ex['bad_lines']['malformed_json']} is deliberately not valid JSON. |
| `events.sse.txt` | The same {ex['events']} payloads as a raw `text/event-stream` capture: `:ok` on connect, then `event: message` / `id: [...]` / `data: <one-line json>` / blank line. It holds one reconnect (a second `:ok`) followed by the two replayed events. The malformed payload is a `data:` line too. |
| `wiki-api.jsonl` | One line for each event that passes the filter ({ex['to_enrich']} lines, in event order). Edits use `{{"domain","action":"compare","fromrev","torev","status":200,"body":<API response>}}`. Creations use `{{"domain","action":"query","revids":[id],"status":200,"body":<API response>}}`. |
| `labels.jsonl` | `{{"wiki","rev_id","expected","scenario"}}` for each classified revision ({ex['classified']} lines). `expected` ∈ ok, spam, vandalism, personal-attack, private-information, blp. `scenario` is a finer free-text tag. Fault revisions have no label. |
| `expected.json` | Machine-readable outcome counts (below), plus the bad line numbers, the duplicate lines, the fault revisions and the filter order. |
| `outcomes.jsonl` | One line per event line: `{{"line","outcome","reason","wiki","rev_id","kind","ns","schema","source","enrich"?,"expected"?}}`. Use it to pinpoint a disagreement with the filter. |
| `generate.py`, `content_bank.py` | The generator and its invented text. |
| `validate.py` | Consistency checks, run after generating. |

## Filter rules assumed

1. **Dead-letter.** Dead-letter the line if it is not JSON (`malformed_json`). Do the same if it lacks a field the
   schema requires (`missing_field`). For page_change 1.x that means `$schema, changelog_kind, dt, meta(.stream), page(.page_id, .page_title),
   page_change_kind, revision(.rev_id, .rev_dt), wiki_id`. recentchange only requires `$schema` and `meta(.stream, .dt)`.
   `$schema` must be `/mediawiki/page/change/1.x.y` or `/mediawiki/recentchange/1.x.y`; anything else is
   `unsupported_schema`.
2. **Canary.** Skip it if `meta.domain == "canary"`. This check counts first even when the canary is also another skip
   (the page_change canaries are in namespace 1).
3. **Duplicate.** Skip it if `(wiki_id, revision.rev_id)` (recentchange: `(wiki, revision.new)`) has already been seen.
   An event without a revision id (recentchange `log` and `categorize`) is never a duplicate.
4. **Kind.** Only page_change `edit` and `create` and recentchange `edit` and `new` go on.
5. **Namespace.** Only namespace 0 goes on.
6. **Bot.** Skip it if `performer.is_bot == true` (page_change) or `bot == true` (recentchange). A missing `performer` or `is_bot` means not a bot.

Everything left is **to enrich**.

## Expected outcomes

{md_table(["outcome", "count", "note"], outcome_rows)}

The kind skips break down as: {", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))}.

Labels among the {ex['classified']} classified revisions:

{md_table(["expected", "count", "share"], lab_rows)}

Points to know when scoring a stand-in classifier:
* {n_revert} of the `ok` edits are **reverts** (rollback/undo) of an earlier bad edit. Their *deleted* lines hold the spam,
  profanity or private data, and their *added* lines are clean. A heuristic should look at added text.
* Personal attacks are inserted into article text, often as `<!-- … -->` comments addressed to another editor.
* BLP cases add an unsourced criminal allegation (no `<ref>`) to the article of a fictional living person.
  Private-information cases add the phone number, e-mail or home address of a non-notable person.
* Good-faith additions of sentences always carry a `<ref>` with a book citation. Spam uses bare or bracketed
  external links to `*.example.com/.net/.org`.
* Scenario tags in `labels.jsonl`: {", ".join(f"{k} {v}" for k, v in sorted(scen.items()))}.

### Deliberately bad lines (1-based line numbers in `events.jsonl`)

* **Line {ex['bad_lines']['malformed_json']}: malformed JSON.** A page_change object cut off mid-way, with no closing braces.
* **Line {ex['bad_lines']['missing_field']}: missing field.** A valid JSON page_change `edit` in namespace 0 with the `revision` object removed.
* **Line {ex['bad_lines']['unsupported_schema']}: unsupported schema.** A valid page_change edit whose `$schema` is `/mediawiki/page/change/2.0.0`.
* **Lines {ex['duplicate_lines'][0]['line']} and {ex['duplicate_lines'][1]['line']}: exact replays** of lines {ex['duplicate_lines'][0]['duplicate_of']} and {ex['duplicate_lines'][1]['duplicate_of']}. They are byte-identical, with the same `meta.id`
  and the same SSE `id`. A reconnect (`:ok`) in `events.sse.txt` comes just before them. The first occurrence is enriched and the replay is skipped as `duplicate`.

### Fault cases in `wiki-api.jsonl` (the event passes the filter, but the API gives no diff)

| reason | wiki | rev id | event line | API response |
|---|---|---|---|---|
{fault_rows}

All fault responses are HTTP 200, as MediaWiki returns them.

**How hidden content is modelled.** Core `ApiComparePages::execute()` checks each revision with `userCan(DELETED_TEXT)`. It does
not return a diff with flags. It fails with `dieWithError(['apierror-missingcontent-revid', $id], 'missingcontent')`, so
`action=compare` on a revision whose text was revision-deleted (for an anonymous client) gives error code
**`missingcontent`**. The message text is `Missing content for revision ID N.`, as quoted in a client test fixture found in the code index.
The `fromtexthidden`/`totexthidden`/`*suppressed` flags exist in `compare` output only for callers who *may* see the text.
For a page creation fetched with `action=query&prop=revisions&rvslots=main&formatversion=2`, `ApiQueryRevisionsBase::extractSlotInfo()`
sets `texthidden: true` on the slot and omits `content`/`contentformat` when the caller cannot view it. `suppressed: true` would
appear on the revision only for oversight (DELETED_RESTRICTED), which is not modelled here. Treat both as "hidden":
log the event and do not classify it.

## Composition (lines in `events.jsonl`)

{md_table(["wiki", "page_change", "recentchange", "total"], comp_rows)}

Wikis: enwiki (en.wikipedia.org), dewiki, frwiki, eswiki, jawiki, ptwiki, commonswiki (mostly File/Category
namespaces, plus a few namespace-0 gallery pages), and wikidatawiki (wikibase-item content with the Wikibase diff
HTML format). The recorded testwikidatawiki events add a few more. Diff and page text is written in each wiki's language.
A few dewiki vandalism edits are German nonsense or insults ("KEVIN WAR HIER!!!!", …).

Timestamps rise monotonically from 14:00 to 14:20 UTC on 2026-11-20, except for the recorded lines, which keep
their original 2019–2025 timestamps as if replayed. The constructed events around the two recorded 2019 API responses use
2026 timestamps with their real (old) revision ids.

## Real recorded data (provenance)

Copied from `shared/reference/wikimedia/README.md`, where every file is "copied or transcribed byte-for-byte (JSON re-indented only)
from a public source".

{md_table(["line", "file (under shared/reference/wikimedia/)", "use", "expected outcome", "original source"], real_rows)}

Also recorded:
* The `wiki-api.jsonl` line for **enwiki 920429244** carries `res.data` of `{REAL_COMPARE_920429244}` verbatim. That is a
  formatversion=**1** response, so the diff HTML is under `compare["*"]`, not `compare.body`, and the diff rows use the
  older 2019 wikidiff2 format (marker text `−`/`&#160;`, `Line 52:`, a trailing `<!-- diff cache key … -->` comment). The line
  carries `"formatversion":1` and a `"source"` field. Its event (line {line_of['realapi_enwiki_920429244']}) is constructed. Page id, title, parent, user name,
  comment and minor flag come from `{REAL_QUERY_920429244}` ({REAL_PROVENANCE[REAL_QUERY_920429244]}).
* The line for **enwiki 920429242** carries the recorded `nosuchrevid` error verbatim (also formatversion=1, `error["*"]`).
  Its event is constructed.
* The canary events are built the way `CanaryEventProducer` builds them. They take the first `examples` entry of the schema
  (`schema-examples/page_change.1.2.0.examples.json` and `recentchange.1.0.1.examples.json`, from
  wikimedia/schemas-event-primary @ 43aeb4a), set `meta.domain = "canary"` and the real stream name, and give them a fresh
  `meta.dt` and `meta.id`.

Not used: `recentchange.edit.wikidatawiki.2018.undo.json`. It is legacy-era and has no `$schema` (`meta.schema_uri`), and
today's EventStreams does not send that shape. Some files that the reference README lists are absent from the shared folder
(the wikidatawiki 1.6.0 event, the page-suppress event, the log-delete event, the commonswiki SSE frame and the Wikidata
1319338548 compare), so they are not used either.

For the recorded events, the diff or content in their `wiki-api.jsonl` lines is constructed, because the real text was not
recorded. The same goes for API page ids that the recording did not give (Bernie Ecclestone, 160337). Sizes in those diffs
do not match the events' `rev_size` exactly.

## Shape notes for parsers

* **page_change 1.2.0 vs 1.3.0.** The 1.3.0 lines (as in the recorded enwiki sample) add `performer.user_central_id` and
  `revision.editor.user_central_id`. Nothing else differs in this dataset. Treat every field beyond the schema's `required`
  list as optional. Newer real versions (up to 1.11.0 in EventBus HEAD) add `revision.revert`, `page.wikibase_item_id`, etc.
* `revision.rev_parent_id` is absent for `create`. `prior_state` holds only the fields that changed. For edits that is the parent revision.
  For `visibility_change` it holds only the flags, e.g. `{{"is_content_visible":true}}`. For `move` it holds `prior_state.page.page_title` plus
  `created_redirect_page`. `delete`/`undelete` carry the reason in the top-level `comment` and `page.revision_count` (delete).
* When an `is_*_visible` flag is false, the matching field is omitted (`revision.comment`, `revision.editor`).
* **Redaction.** Line {line_of['redacted_pc']} has `"performer":{{}}` with no `revision.editor`/`prior_state.revision.editor`, as EventStreams
  redacts configured pages. Line {line_of['redacted_rc']} (recentchange) has no `user`. Both are ordinary edits to enrich.
* Anonymous editors are temporary accounts (`is_temp: true`, `groups: ["*","temp"]`, `user_text` like `~2026-31427-48`)
  or IPs from documentation ranges (`groups: ["*"]`, no `user_id`/`edit_count`/`registration_dt`). The recorded recentchange
  sample has an IPv6 `user`.
* `page.page_title` is the DB key (underscores, with the namespace prefix, e.g. `User_talk:…`). recentchange `title` uses spaces.
* Constructed events carry the Kafka metadata that EventStreams adds (`meta.topic`, `meta.partition`, `meta.offset`, and for
  page_change `meta.key = {{wiki_id, page_id}}`). The recorded fixtures mostly do not.
* recentchange: `type=new` has only `length.new`/`revision.new`. `log` events carry `log_id, log_type, log_action,
  log_params, log_action_comment` and no `revision`/`length`, and their `namespace` is the target page's namespace
  (the schema text says -1). `categorize` has neither `revision` nor `length`. Constructed events also carry `title_url` and
  `notify_url` (seen in 2026 production samples, not in the schema) and `patrolled` on wikis with RC patrol.
* The page_change canary is the schema example: `wiki_id: "example"`, namespace 1, `performer` holding only `user_id`/`user_text`, and a
  2021 top-level `dt`. The recentchange canary is just `{{$schema, meta}}` with `$schema` **1.0.1**.
* **Diff HTML (constructed lines).** The current wikidiff2 table format is used: `<td class="diff-marker" data-marker="−"></td>` and
  `data-marker="+"`, `diff-deletedline diff-side-deleted` / `diff-addedline diff-side-added` / `diff-context diff-side-*`
  cells with `<div>` content, `diff-empty` filler cells, inline `<del|ins class="diffchange diffchange-inline">`, and `diff-lineno`
  header rows. The `Line N:` header is localised on non-English wikis (best effort: `Zeile N:`, `Ligne N :`, …), so do not parse it.
  Text is escaped for `& < >` only, as wikidiff2 does. An empty line renders as `<br />`. Wikidata/testwikidata diffs use the
  Wikibase format of the recorded editgroups fixture (`<td class="diff-marker">+</td>`, `&nbsp;` filler, property path in
  `diff-lineno`, values in `<span>`). The one recorded enwiki diff uses the 2019 format. **Parse by class names, not by position.**
* Wikibase creation content is the entity JSON as a string (PHP-style `\\/` escaping), with `contentmodel: wikibase-item` and
  `contentformat: application/json`.

## Invariants checked by `validate.py`

* Every line of `events.jsonl` parses as JSON, except line {ex['bad_lines']['malformed_json']}.
* `events.sse.txt` frames, in order, carry exactly the `events.jsonl` lines, and every `id:` is a JSON array of
  `{{topic, partition, offset|timestamp}}`.
* Re-applying the filter rules gives exactly the counts in `expected.json`.
* Each to-enrich event has exactly one `wiki-api.jsonl` line (matched on domain plus `torev` or `revids[0]`), and there are no other lines.
* `labels.jsonl` covers exactly the to-enrich revisions minus the fault revisions.
* Diff bodies have balanced `<tr>` rows and contain no unescaped text `<` inside cells.
"""


# --------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="regenerate in memory and compare with files on disk")
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()
    files = generate()
    if args.check:
        bad = [n for n, data in files.items() if not os.path.exists(os.path.join(args.out, n)) or open(os.path.join(args.out, n), "rb").read() != data]
        if bad:
            print("out of date:", ", ".join(bad))
            sys.exit(1)
        print("up to date")
        return
    for name, data in files.items():
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
