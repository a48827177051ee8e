#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen-gazetteer.py -- derives src/detect/gazetteer.c from the standard
legal-dong codes (kr_legal_dong_2020.tsv in the shared corpus).

The ADDRESS detector needs two tables:

  * the administrative areas people put in front of an address: the 17
    시·도 and every 시·군·구, in their full and short written forms
    (서울특별시/서울시/서울, 경기도/경기, 성남시/성남, 분당구/분당), a sorted
    table looked up when an address core has been found (so they cost the
    scan nothing); each name's flags say its level, whether it is a full
    name, and its 시·도 (0 when the name exists under several);
  * the names of the 읍·면·동·가·리 (역삼동, 종로1가, 달전리), looked up
    with a binary search when a lot number (역삼동 123-45) is considered.

The 2020 list predates three changes that this script applies:
강원도 -> 강원특별자치도 (2023-06-11), 전라북도 -> 전북특별자치도
(2024-01-18), 경상북도 군위군 -> 대구광역시 (2023-07-01). The old names
stay in the table, as people still write them.

Usage: scripts/gen-gazetteer.py [TSV] [OUT]
  TSV defaults to $PVG_SHARED/corpus/gazetteer/kr_legal_dong_2020.tsv
  (PVG_SHARED defaults to /work/shared), OUT to src/detect/gazetteer.c.
The output is committed; rerun the script when the list changes.
"""
import os
import re
import sys

# 시·도 in code order: (index, official name, other written forms).
PROVINCES = [
    (1, "서울특별시", ["서울시"], ["서울"]),
    (2, "부산광역시", ["부산시"], ["부산"]),
    (3, "대구광역시", ["대구시"], ["대구"]),
    (4, "인천광역시", ["인천시"], ["인천"]),
    (5, "광주광역시", ["광주시"], ["광주"]),
    (6, "대전광역시", ["대전시"], ["대전"]),
    (7, "울산광역시", ["울산시"], ["울산"]),
    (8, "세종특별자치시", ["세종시"], ["세종"]),
    (9, "경기도", [], ["경기"]),
    (10, "강원특별자치도", ["강원도"], ["강원"]),
    (11, "충청북도", [], ["충북"]),
    (12, "충청남도", [], ["충남"]),
    (13, "전북특별자치도", ["전라북도"], ["전북"]),
    (14, "전라남도", [], ["전남"]),
    (15, "경상북도", [], ["경북"]),
    (16, "경상남도", [], ["경남"]),
    (17, "제주특별자치도", ["제주도"], ["제주"]),
]
# The names in the 2020 list, mapped to the index above.
OLD_PROVINCE = {p[1]: p[0] for p in PROVINCES}
OLD_PROVINCE["강원도"] = 10
OLD_PROVINCE["전라북도"] = 13
# 시·군·구 that moved since 2020: name -> new 시·도 index.
MOVED = {("경상북도", "군위군"): 3}

LEVEL_PROVINCE = 1
LEVEL_DISTRICT = 2
FLAG_FULL = 4


def syllables(s):
    return len(s)


def main():
    shared = os.environ.get("PVG_SHARED", "/work/shared")
    if shared.endswith("/corpus"):
        shared = shared[: -len("/corpus")]
    tsv = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        shared, "corpus/gazetteer/kr_legal_dong_2020.tsv")
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "src", "detect", "gazetteer.c")

    rows = []
    with open(tsv, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not re.fullmatch(r"\d{10}", parts[0]):
                sys.exit("gen-gazetteer: %s:%d: expected CODE<TAB>NAME" % (tsv, ln))
            rows.append(parts[1].split(" "))

    provinces_seen = {r[0] for r in rows if len(r) == 1}
    for name in OLD_PROVINCE:
        if name not in provinces_seen and name not in ("강원특별자치도", "전북특별자치도"):
            sys.exit("gen-gazetteer: 시·도 '%s' missing from %s" % (name, tsv))

    # words: text -> [level, full, province index or 0 when ambiguous]
    words = {}

    def add(text, level, full, prov):
        w = words.get(text)
        if w is None:
            words[text] = [level, full, prov]
            return
        # A name at two levels (광주: 광역시 and 경기도 광주시) keeps the
        # higher level; a name under two 시·도 has no single one.
        if w[0] != level:
            w[0] = min(w[0], level)
        w[1] = w[1] or full
        if w[2] != prov:
            w[2] = 0

    for idx, official, fulls, shorts in PROVINCES:
        add(official, LEVEL_PROVINCE, 1, idx)
        for x in fulls:
            add(x, LEVEL_PROVINCE, 1, idx)
        for x in shorts:
            add(x, LEVEL_PROVINCE, 0, idx)

    districts = []
    lot_names = set()
    for r in rows:
        prov = OLD_PROVINCE.get(r[0])
        if prov is None:
            sys.exit("gen-gazetteer: unknown 시·도 '%s'" % r[0])
        # 시·군·구: second and (for city districts) third words.
        for k in (1, 2):
            if len(r) > k and re.search(r"(시|군|구)$", r[k]) and len(r[k]) >= 2:
                if k == 2 and not r[2].endswith("구"):
                    continue
                p = MOVED.get((r[0], r[k]), prov)
                districts.append((r[k], p))
        last = re.sub(r"\(.*\)$", "", r[-1])
        if len(r) >= 2 and re.search(r"(동|가|읍|면|리|로)$", last):
            lot_names.add(last)

    for name, prov in districts:
        add(name, LEVEL_DISTRICT, 1, prov)
        stem = name[:-1]
        if syllables(stem) >= 2:
            add(stem, LEVEL_DISTRICT, 0, prov)

    n_prov = sum(1 for w in words.values() if w[0] == LEVEL_PROVINCE and w[1])
    n_dist = len({d[0] for d in districts})
    if n_dist < 200:
        sys.exit("gen-gazetteer: only %d 시·군·구 names found" % n_dist)

    lots = sorted(lot_names, key=lambda s: s.encode("utf-8"))
    blob = bytearray()
    offs = []
    for s in lots:
        offs.append(len(blob))
        blob += s.encode("utf-8")
    offs.append(len(blob))

    def cstr(b):
        return '"' + "".join("\\%03o" % c if c >= 0x80 or c < 0x20 or c in (0x22, 0x5C)
                             else chr(c) for c in b) + '"'

    o = []
    o.append("/* SPDX-License-Identifier: MIT */")
    o.append("/*")
    o.append(" * gazetteer.c -- GENERATED by scripts/gen-gazetteer.py from the standard")
    o.append(" * legal-dong codes (2020-10) with the changes since: 강원특별자치도,")
    o.append(" * 전북특별자치도, 군위군 -> 대구광역시. Do not edit; rerun the script.")
    o.append(" *")
    o.append(" * The administrative areas (%d full 시·도 forms, %d 시·군·구 names, and" % (n_prov, n_dist))
    o.append(" * their short forms: %d names) and the %d 읍·면·동·가·리 names, as sorted" % (len(words), len(lots)))
    o.append(" * tables for binary search.")
    o.append(" * Read-only data: safe for any number of threads.")
    o.append(" */")
    o.append('#include <string.h>')
    o.append("")
    o.append('#include "detect/gazetteer.h"')
    o.append("")
    areas = sorted(words, key=lambda s: s.encode("utf-8"))
    o.append("/* The areas, sorted by bytes, one after another, and their flags. */")
    o.append("static const char area_blob[] =")
    for text in areas:
        o.append("    %s /* %s */" % (cstr(text.encode()), text))
    o.append("    ;")
    aoff = [0]
    for text in areas:
        aoff.append(aoff[-1] + len(text.encode()))
    o.append("static const uint16_t area_off[%d] = {" % len(aoff))
    for i in range(0, len(aoff), 10):
        o.append("    " + ", ".join(str(x) for x in aoff[i:i + 10]) + ",")
    o.append("};")
    o.append("static const uint16_t area_flags[%d] = {" % len(areas))
    fl = []
    for text in areas:
        level, full, prov = words[text]
        fl.append("0x%04x" % (level | (FLAG_FULL if full else 0) | (prov << 8)))
    for i in range(0, len(fl), 8):
        o.append("    " + ", ".join(fl[i:i + 8]) + ",")
    o.append("};")
    o.append("const size_t pvg__gz_n_areas = %d;" % len(areas))
    o.append("")
    o.append("/* Binary search of n bytes at s in a sorted blob table. */")
    o.append("static long find(const char *blob, const void *off, int wide, size_t count,")
    o.append("                 const uint8_t *s, size_t n)")
    o.append("{")
    o.append("    size_t lo = 0, hi = count;")
    o.append("    while (lo < hi) {")
    o.append("        size_t mid = lo + (hi - lo) / 2;")
    o.append("        size_t a = wide ? ((const uint32_t *)off)[mid] : ((const uint16_t *)off)[mid];")
    o.append("        size_t b = wide ? ((const uint32_t *)off)[mid + 1]")
    o.append("                        : ((const uint16_t *)off)[mid + 1];")
    o.append("        size_t ml = b - a;")
    o.append("        int c = memcmp(blob + a, s, ml < n ? ml : n);")
    o.append("        if (c == 0)")
    o.append("            c = ml < n ? -1 : ml > n ? 1 : 0;")
    o.append("        if (c == 0)")
    o.append("            return (long)mid;")
    o.append("        if (c < 0)")
    o.append("            lo = mid + 1;")
    o.append("        else")
    o.append("            hi = mid;")
    o.append("    }")
    o.append("    return -1;")
    o.append("}")
    o.append("")
    o.append("int pvg__gz_area(const uint8_t *s, size_t n, unsigned *flags)")
    o.append("{")
    o.append("    long i = find(area_blob, area_off, 0, pvg__gz_n_areas, s, n);")
    o.append("    if (i < 0)")
    o.append("        return 0;")
    o.append("    *flags = area_flags[i];")
    o.append("    return 1;")
    o.append("}")
    o.append("")
    o.append("/* The 읍·면·동·가·리 names, sorted by bytes, one after another. */")
    o.append("static const char lot_blob[] =")
    line = b""
    for s in lots:
        e = s.encode("utf-8")
        if len(line) + len(e) > 18:
            o.append("    " + cstr(line))
            line = b""
        line += e
    if line:
        o.append("    " + cstr(line))
    o.append("    ;")
    o.append("static const uint32_t lot_off[%d] = {" % len(offs))
    for i in range(0, len(offs), 10):
        o.append("    " + ", ".join(str(x) for x in offs[i:i + 10]) + ",")
    o.append("};")
    o.append("const size_t pvg__gz_n_lots = %d;" % len(lots))
    o.append("")
    o.append("int pvg__gz_lot_name(const uint8_t *s, size_t n)")
    o.append("{")
    o.append("    return find(lot_blob, lot_off, 1, pvg__gz_n_lots, s, n) >= 0;")
    o.append("}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(o) + "\n")
    print("gen-gazetteer: %d words, %d lot names -> %s" % (len(words), len(lots), out))


if __name__ == "__main__":
    main()
