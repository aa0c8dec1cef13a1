#!/usr/bin/env python3
# The text processing of scripts/make_base_corpus: unpacked Debian packages -> cleaned,
# split and shuffled records, train.jsonl / test.jsonl and SOURCES.md. Standard library only.
# Usage: base_corpus.py UNPACKED_ROOT PACKAGES_TSV STAGE_DIR
import gzip, json, os, random, re, sys, unicodedata

root, packages_tsv, stage = sys.argv[1:4]
PROG = "make_base_corpus"

MIN_RECORD = 200     # records aim at MIN_RECORD..MAX_RECORD characters
MAX_RECORD = 600
MAX_UNIT = 1000      # a whole unit (fortune, dictionary entry) up to this length stays whole
DROP_BELOW = 100     # records shorter than this are dropped
TEST_FRACTION = 0.02
SEED = 1234


def fail(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)
    sys.exit(2)


packages = {}
for line in open(packages_tsv, encoding="utf-8"):
    name, version, sha, deb = line.rstrip("\n").split("\t")
    packages[name] = {"version": version, "sha256": sha, "deb": deb}


def pkg_path(pkg, rel):
    return os.path.join(root, pkg, rel)


def read_text(pkg, rel):
    p = pkg_path(pkg, rel)
    if not os.path.isfile(p):
        fail(f"{pkg} {packages[pkg]['version']} has no file /{rel}")
    data = open(p, "rb").read()
    if rel.endswith((".gz", ".dz")):
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(f"{pkg}: /{rel} is not UTF-8 ({e})")


# --- cleaning --------------------------------------------------------------------------

SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Usenet/mail message ids in attributions ("-- Larry Wall in <1997...@wall.org>").
MESSAGE_ID = re.compile(r"(?:[ \t]+in)?[ \t]*<[^<>\s@]*\d[^<>\s@]*@[^<>\s]+>")
MOJIBAKE = re.compile(r"[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u0080")
BOX = re.compile(r"[\u2500-\u259f]")
# Function words and contractions, which WordNet (open-class words only) lacks.
FUNCTION_WORDS = set("""a an the of to in and or but nor is are was were be been being am it its
this that these those he she they we you i me my mine your yours his her hers their theirs our
ours him them us not no on at by for with from as if so do does did done have has had will
would can could should shall may might must there here what which who whom whose when where
why how all any some than then too very just about into onto upon over out up down only also
more most such own same other each both few every either neither because while though
although unless until till since whether yet again ever never always often once twice myself
yourself himself herself itself ourselves themselves whoever whatever whenever wherever
can't won't don't doesn't didn't isn't aren't wasn't weren't hasn't haven't hadn't
wouldn't couldn't shouldn't mustn't shan't i'm i've i'd i'll you're you've you'd you'll
he's he'd he'll she's she'd she'll it's it'd it'll we're we've we'd we'll they're they've
they'd they'll that's there's here's what's who's let's ain't o'clock ok""".split())
VOCAB = set()  # English words: FUNCTION_WORDS, WordNet lemmas and irregular forms


def load_vocab(pkg):
    VOCAB.update(FUNCTION_WORDS)
    for f in ("noun", "verb", "adj", "adv"):
        for line in read_text(pkg, f"{WN_DIR}/index.{f}").splitlines():
            if line and not line.startswith("  "):
                VOCAB.update(line.split(" ", 1)[0].lower().replace("-", "_").split("_"))
        for line in read_text(pkg, f"{WN_DIR}/{f}.exc").splitlines():
            VOCAB.update(w for w in line.lower().split() if "_" not in w)


SUFFIXES = [("'s", ""), ("s'", "s"), ("ies", "y"), ("ied", "y"), ("ier", "y"), ("iest", "y"),
            ("ily", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""),
            ("ing", "e"), ("ly", ""), ("er", ""), ("er", "e"), ("est", ""), ("est", "e"),
            ("ness", ""), ("ment", ""), ("ful", ""), ("less", "")]


def english_word(w):
    w = w.lower().replace("\u2019", "'")
    if w in VOCAB:
        return True
    for suffix, repl in SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 2 and w[:-len(suffix)] + repl in VOCAB:
            return True
    if len(w) > 4 and w[-3] == w[-4] and w.endswith(("ing", "est")) and w[:-4] in VOCAB:
        return True  # running, biggest
    return False


def letters(s):
    return sum(1 for c in s if c.isalpha())


def non_latin_letters(s):
    n = 0
    for c in s:
        if c.isalpha() and not ("LATIN" in unicodedata.name(c, "") or c.isascii()):
            n += 1
    return n


def junk_line(line):
    """Mostly non-letters (ASCII art, code, rules, tables)."""
    if BOX.search(line):
        return True
    visible = [c for c in line if not c.isspace()]
    return len(visible) >= 3 and letters(line) < 0.5 * len(visible)


def clean_unit(text, keep_lines):
    """Normalises one unit (a fortune, an entry, a paragraph group); None drops it.
    keep_lines: keep its line breaks (verse, fortunes); else join lines into paragraphs."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = INVISIBLE.sub("", text)
    text = MESSAGE_ID.sub("", text)
    if MOJIBAKE.search(text):  # UTF-8 read as Latin-1 once: repair; worse: drop
        try:
            text = text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        if MOJIBAKE.search(text):
            return None
    text = CONTROL.sub(lambda m: "\n" if m.group() == "\n" else " ", text)
    out, junk, visible = [], 0, 0
    for line in text.split("\n"):
        line = SPACES.sub(" ", line).strip()
        if not line:
            if out and out[-1] != "":
                out.append("")
            continue
        visible += len(line)
        if junk_line(line):
            junk += len(line)
            continue
        out.append(line)
    if visible == 0 or junk > 0.25 * visible:
        return None
    while out and out[-1] == "":
        out.pop()
    if keep_lines:
        text = "\n".join(out)
    else:
        paras, cur = [], []
        for line in out + [""]:
            if line:
                cur.append(line)
            elif cur:
                paras.append(" ".join(cur))
                cur = []
        text = "\n".join(paras)
    if len(text) < 20 or not is_english(text):
        return None
    return text


def is_english(text):
    """Latin script, and at least 60% of the words (from 4 words on) are English words."""
    n = letters(text)
    if n < 10 or non_latin_letters(text) > 0.05 * n:
        return False
    words = re.findall(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*", text)
    if len(words) < 4:
        return True
    known = sum(1 for w in words if english_word(w))
    return known >= 0.6 * len(words)


# --- records ---------------------------------------------------------------------------

def split_long(unit):
    """Splits a unit longer than MAX_UNIT at paragraph, then line, then sentence ends."""
    if len(unit) <= MAX_UNIT:
        return [unit]
    for sep, pattern in (("\n\n", r"\n\n"), ("\n", r"\n"), (" ", r"(?<=[.!?]) ")):
        pieces = re.split(pattern, unit)
        if len(pieces) > 1:
            break
    else:
        return []  # one enormous sentence: not worth keeping
    out, cur = [], ""
    for p in pieces:
        if cur and len(cur) + len(sep) + len(p) > MAX_RECORD:
            out.append(cur)
            cur = p
        else:
            cur = cur + sep + p if cur else p
    if cur:
        out.append(cur)
    result = []
    for piece in out:
        result.extend(split_long(piece) if len(piece) > MAX_UNIT else [piece])
    return result


def pack(units, sep):
    """Groups consecutive units into records of about MIN_RECORD..MAX_RECORD characters."""
    records, cur = [], ""
    for unit in units:
        for u in split_long(unit):
            if cur:
                joined = len(cur) + len(sep) + len(u)
                if (joined > MAX_RECORD and len(cur) >= MIN_RECORD) or joined > MAX_UNIT:
                    records.append(cur)
                    cur = ""
            cur = cur + sep + u if cur else u
    if cur:
        if records and len(cur) < MIN_RECORD and len(records[-1]) + len(sep) + len(cur) <= MAX_UNIT:
            records[-1] += sep + cur
        else:
            records.append(cur)
    return [r for r in records if len(r) >= DROP_BELOW]


# --- sources ---------------------------------------------------------------------------

FORTUNE_DIR = "usr/share/games/fortunes"
FORTUNE_SKIP = {
    "ascii-art": "ASCII pictures, not text",
    "ethnic": "jokes built on ethnic stereotypes",
    "translate-me": "mostly Latin",
}


def fortunes(pkg):
    """Yields (file, units) per fortune file; files under off/ are never read."""
    base = pkg_path(pkg, FORTUNE_DIR)
    if not os.path.isdir(base):
        fail(f"{pkg} {packages[pkg]['version']} has no /{FORTUNE_DIR}")
    files, skipped = [], []
    for name in sorted(os.listdir(base)):
        p = os.path.join(base, name)
        if name == "off" or name.startswith("off"):
            skipped.append((f"/{FORTUNE_DIR}/{name}", "offensive set"))
            continue
        if os.path.islink(p) or os.path.isdir(p) or name.endswith((".dat", ".u8")):
            continue
        if name in FORTUNE_SKIP:
            skipped.append((f"/{FORTUNE_DIR}/{name}", FORTUNE_SKIP[name]))
            continue
        files.append(name)
    groups = []
    for name in files:
        text = read_text(pkg, f"{FORTUNE_DIR}/{name}")
        units = re.split(r"^%[ \t]*$\n?", text, flags=re.M)
        groups.append((f"/{FORTUNE_DIR}/{name}", [(u, True) for u in units]))
    return groups, skipped


WN_DIR = "usr/share/wordnet"
WN_POS = [("noun", "n", "noun"), ("verb", "v", "verb"), ("adj", "a", "adjective"),
          ("adv", "r", "adverb")]


def wordnet(pkg):
    """One unit per synset with a sense tagged in the SemCor corpus (tagsense_cnt in the
    index files): the common senses of common words, 27k of WordNet's 118k synsets."""
    tagged = set()
    for f, _, _ in WN_POS:
        for line in read_text(pkg, f"{WN_DIR}/index.{f}").splitlines():
            if line.startswith("  ") or not line:
                continue
            x = line.split()
            i = 4 + int(x[3])
            tagcnt = int(x[i + 1])
            for off in x[i + 2:i + 2 + tagcnt]:
                tagged.add((f, off))
    groups = []
    for f, _, pos_name in WN_POS:
        rel = f"{WN_DIR}/data.{f}"
        cur_lex, cur = None, []
        for line in read_text(pkg, rel).splitlines():
            if line.startswith("  ") or not line:
                continue
            head, bar, gloss = line.partition(" | ")
            if not bar:
                continue
            x = head.split()
            off, lex, wcnt = x[0], x[1], int(x[3], 16)
            if (f, off) not in tagged:
                continue
            examples = re.findall(r'"([^"]*)"', gloss)
            lemmas, seen = [], set()
            for k in range(wcnt):
                w = re.sub(r"\([a-z]+\)$", "", x[4 + 2 * k]).replace("_", " ")
                if w.lower() not in seen:
                    seen.add(w.lower())
                    lemmas.append(w)
            definition = gloss.split('"', 1)[0].strip().rstrip(";:,").strip()
            if not definition:
                continue
            s = f"{', '.join(lemmas[:4])} ({pos_name}): {definition}"
            if s[-1] not in ".!?":
                s += "."
            examples = [e.strip() for e in examples if e.strip()]
            if examples:
                s += (" Example: " if len(examples) == 1 else " Examples: ") + \
                     "; ".join(f'"{e}"' for e in examples) + "."
            if lex != cur_lex and cur:
                groups.append((f"/{rel}", cur))
                cur = []
            cur_lex = lex
            cur.append((s, False))
        if cur:
            groups.append((f"/{rel}", cur))
    return groups, []


DEVIL_INDEX = "usr/share/dictd/devil.index"
DEVIL_DICT = "usr/share/dictd/devil.dict.dz"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64num(s):
    n = 0
    for c in s:
        n = n * 64 + B64.index(c)
    return n


def prose_blocks(text):
    """Blank-line separated blocks. A block whose lines are all indented is verse (or a
    dialogue) and keeps its line breaks; in any other block the wrapped lines are joined and
    an indented line starts a new paragraph."""
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [l.rstrip() for l in block.split("\n") if l.strip()]
        if not lines:
            continue
        if all(l[:1].isspace() for l in lines):
            out.append("\n".join(l.strip() for l in lines))
            continue
        paras = []
        for l in lines:
            if l[:1].isspace() or not paras:
                paras.append(l.strip())
            else:
                paras[-1] += " " + l.strip()
        out.append("\n".join(paras))
    return "\n".join(out)


def devil(pkg):
    """One unit per dictionary entry (prose joined, verse kept line by line), plus the preface."""
    raw = open(pkg_path(pkg, DEVIL_DICT), "rb").read()
    data = gzip.decompress(raw)
    spans = set()
    for line in read_text(pkg, DEVIL_INDEX).splitlines():
        head, off, length = line.split("\t")
        spans.add((b64num(off), b64num(length), head.startswith("00database")))
    entries = []
    for off, length, meta in sorted(spans):
        text = data[off:off + length].decode("utf-8")
        if meta:
            m = re.search(r"^\s*PREFACE\s*$", text, flags=re.M)
            if not m:
                continue
            text = text[m.end():]
        entry = prose_blocks(text)
        entries.append((entry, True))
    if len(entries) < 500:
        fail(f"{pkg}: read only {len(entries)} entries from /{DEVIL_DICT}")
    return [(f"/{DEVIL_DICT}", entries)], []


JARGON = "usr/share/doc/jargon-text/jargon.txt.gz"


def jargon(pkg):
    """Lexicon entries (':headword: pron, pos.' and their paragraphs) and the prose of the
    introduction and appendices; the table of contents and headword lists are dropped."""
    text = read_text(pkg, JARGON)
    starts = [m.start() for m in re.finditer(r"^\s*Welcome to the Jargon File\s*$", text, flags=re.M)]
    if len(starts) < 2:
        fail(f"{pkg}: /{JARGON} does not have the expected layout")
    text = text[starts[1]:]
    text = re.sub(r"\{([^{}]*)\}", r"\1", text)  # {cross-reference} -> cross-reference
    units, entry = [], []

    def flush():
        if entry:
            units.append(("\n".join(entry), True))
            entry.clear()

    for block in re.split(r"\n[ \t]*\n", text):
        lines = [l.rstrip() for l in block.split("\n") if l.strip()]
        if not lines:
            continue
        first = lines[0].strip()
        m = re.match(r"^:(.+?):\s*(.*)$", first) if len(lines) == 1 else None
        if m:  # ":headword: pronunciation, part of speech"
            flush()
            head, rest = m.group(1).strip(), m.group(2).strip()
            entry.append(f"{head}: {rest}" if rest else f"{head}:")
            continue
        if len(lines) == 1 and len(first.split()) < 6 and first[-1:].isalnum() and \
                not (entry and re.match(r"\d+\. ", first)):  # "1. sense" inside an entry
            flush()  # a title, a letter heading or a headword in a list
            continue
        # Tables and code inside an entry are left out so that the entry's prose is kept.
        junk = sum(len(l.strip()) for l in lines if junk_line(l))
        if BOX.search(block) or junk > 0.25 * sum(len(l.strip()) for l in lines):
            continue
        if min(len(l) - len(l.lstrip()) for l in lines) > 3:  # preformatted: examples, verse
            body, keep = "\n".join(l.strip() for l in lines), True
        else:
            body, keep = " ".join(l.strip() for l in lines), False
        if entry:
            entry.append(body)
        else:
            units.append((body, keep))
    flush()
    out = units
    if len(out) < 2000:
        fail(f"{pkg}: read only {len(out)} units from /{JARGON}")
    return [(f"/{JARGON}", out)], []


# fortunes and fortunes-min share one copyright file.
FORTUNE_LICENCE = "BSD (4.4BSD licence with the advertising clause deleted), as stated in the package's copyright file"
FORTUNE_KEYS = ["This program falls under the BSD copyright:",
                "Copyright (c) 1991 The Regents of the University of California.",
                "Redistribution and use in source and binary forms, with or without"]

SOURCES = [
    {
        "package": "fortunes-min",
        "title": "fortune cookies: fortunes, literature, riddles",
        "licence": FORTUNE_LICENCE, "key": FORTUNE_KEYS,
        "notice": (r"^Copyright \(c\) 1991 The Regents", r"SUCH DAMAGE\.$"),
        "read": fortunes, "sep": "\n\n",
    },
    {
        "package": "fortunes",
        "title": "fortune cookies (the non-offensive English sets)",
        "licence": FORTUNE_LICENCE, "key": FORTUNE_KEYS,
        "notice": None,  # same text as fortunes-min
        "read": fortunes, "sep": "\n\n",
    },
    {
        "package": "wordnet-base",
        "title": "WordNet 3.0: glosses and example sentences of the synsets with a sense tagged in SemCor",
        "licence": "WordNet 3.0 licence (permissive; the copyright notice must accompany copies)",
        "key": ["License: WordNet3.0",
                "Permission to use, copy, modify and distribute this software and",
                "WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved."],
        "notice": (r"^License: WordNet3\.0", r"preserve same\.$"),
        "read": wordnet, "sep": "\n",
    },
    {
        "package": "dict-devil",
        "title": "Ambrose Bierce, The Devil's Dictionary (1911)",
        "licence": "public domain (copyright expired)",
        "key": ["The Devil's Dictionary is in the public domain, its copyright has",
                "A Public Domain Text, Copyright Expired"],
        "notice": None,
        "read": devil, "sep": "\n\n",
    },
    {
        "package": "jargon-text",
        "title": "The Jargon File 4.4.7 (Eric S. Raymond, ed.)",
        "licence": "public domain (dedicated by its editors)",
        "key": ["This document (the Jargon File) is in the public domain, to be freely",
                "used, shared, and modified. There are (by intention) no legal restraints"],
        "notice": None,
        "read": jargon, "sep": "\n\n",
    },
]

load_vocab("wordnet-base")
records = []        # (source index, text)
seen_units = set()
seen_records = set()
for si, src in enumerate(SOURCES):
    pkg = src["package"]
    if pkg not in packages:
        fail(f"missing package {pkg}")
    copyright_rel = f"usr/share/doc/{pkg}/copyright"
    copyright_text = read_text(pkg, copyright_rel)
    lines = [l.strip() for l in copyright_text.splitlines()]
    for k in src["key"]:
        if k not in lines:
            fail(f"the copyright file of {pkg} {packages[pkg]['version']} no longer says "
                 f"'{k}': review its licence before using it")
    src["copyright_lines"] = src["key"]
    if src["notice"]:
        begin, end = src["notice"]
        m = re.search(begin + r".*?" + end, copyright_text, flags=re.M | re.S)
        if not m:
            fail(f"cannot find the licence notice in the copyright file of {pkg}")
        src["notice_text"] = "\n".join(l.strip() for l in m.group(0).splitlines()).replace("\n.\n", "\n\n")
    groups, skipped = src["read"](pkg)
    src["skipped"] = skipped
    src["files"] = []
    for rel, units in groups:
        cleaned = []
        for text, keep_lines in units:
            t = clean_unit(text, keep_lines)
            if t is None or t in seen_units:
                continue
            seen_units.add(t)
            cleaned.append(t)
        n = 0
        for r in pack(cleaned, src["sep"]):
            if r in seen_records:
                continue
            seen_records.add(r)
            records.append((si, r))
            n += 1
        if src["files"] and src["files"][-1][0] == rel:
            src["files"][-1][1] += n
        else:
            src["files"].append([rel, n])

order = list(range(len(records)))
random.Random(SEED).shuffle(order)
n_test = round(len(order) * TEST_FRACTION)
splits = {"test": order[:n_test], "train": order[n_test:]}

stats = {(si, split): [0, 0] for si in range(len(SOURCES)) for split in splits}
for split, idx in splits.items():
    with open(os.path.join(stage, f"{split}.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i in idx:
            si, text = records[i]
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
            st = stats[(si, split)]
            st[0] += 1
            st[1] += len(text.encode("utf-8"))

total = {split: [sum(stats[(si, split)][k] for si in range(len(SOURCES))) for k in (0, 1)]
         for split in splits}
md = []
md.append("# Sources of the base-model corpus")
md.append("")
md.append("Written by `scripts/make_base_corpus` (see `docs/base_model_corpus.md`); do not edit.")
md.append("The text comes only from the Debian packages below, unpacked with `dpkg-deb -x`.")
md.append("")
md.append("| split | records | bytes of text (UTF-8) |")
md.append("|---|---:|---:|")
for split in ("train", "test"):
    md.append(f"| {split} | {total[split][0]} | {total[split][1]} |")
md.append("")
md.append("| package | version | licence | records (train + test) | bytes of text |")
md.append("|---|---|---|---:|---:|")
for si, src in enumerate(SOURCES):
    r = stats[(si, 'train')][0] + stats[(si, 'test')][0]
    b = stats[(si, 'train')][1] + stats[(si, 'test')][1]
    md.append(f"| {src['package']} | {packages[src['package']]['version']} | {src['licence']} | {r} | {b} |")
md.append("")
md.append(f"Records are {MIN_RECORD}-{MAX_RECORD} characters where the units allow (whole units up to "
          f"{MAX_UNIT}), shuffled with Python's `random.Random({SEED})`; the first "
          f"{TEST_FRACTION:.0%} are the test split.")
for si, src in enumerate(SOURCES):
    pkg = src["package"]
    p = packages[pkg]
    md.append("")
    md.append(f"## {pkg} {p['version']}")
    md.append("")
    md.append(f"- content: {src['title']}")
    md.append(f"- package file: `{p['deb']}`, sha256 `{p['sha256']}`")
    md.append(f"- licence: {src['licence']}")
    md.append(f"- copyright file: `/usr/share/doc/{pkg}/copyright`; its key lines:")
    md.append("")
    for l in src["copyright_lines"]:
        md.append(f"  > {l}")
    md.append("")
    md.append(f"- contributed: {stats[(si, 'train')][0]} train and {stats[(si, 'test')][0]} test records, "
              f"{stats[(si, 'train')][1] + stats[(si, 'test')][1]} bytes")
    md.append("- files used (records built from each):")
    for rel, n in src["files"]:
        md.append(f"  - `{rel}`: {n}")
    if src["skipped"]:
        md.append("- files not used:")
        for rel, why in src["skipped"]:
            md.append(f"  - `{rel}`: {why}")
    if src.get("notice_text"):
        md.append("- licence notice, reproduced as it requires:")
        md.append("")
        md.append("```")
        md.append(src["notice_text"])
        md.append("```")
with open(os.path.join(stage, "SOURCES.md"), "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(md) + "\n")
for split in ("train", "test"):
    print(f"{PROG}: {split}: {total[split][0]} records, {total[split][1]} bytes of text")
