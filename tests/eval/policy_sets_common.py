# SPDX-License-Identifier: MIT
"""Shared helpers for the policy evaluation sets (make_policy_dev.py and
make_policy_holdout.py): generated fake identifiers, evasion transforms and
the line writer. Every phone number, RRN, card and address is generated;
none belongs to anyone."""
import json
import random

R = random.Random(20251128)


def phone(r=R):
    return "010-%04d-%04d" % (r.randint(2000, 9899), r.randint(1000, 9999))


def phone_plain(r=R):
    return phone(r).replace("-", "")


def rrn(r=R, year=None):
    """A resident registration number with a valid check digit."""
    y = year if year is not None else r.randint(60, 99)
    m, d = r.randint(1, 12), r.randint(1, 28)
    g = r.choice([1, 2])
    body = "%02d%02d%02d%d%05d" % (y, m, d, g, r.randint(10000, 99999))
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    c = (11 - sum(int(a) * b for a, b in zip(body, w)) % 11) % 10
    s = body + str(c)
    return s[:6] + "-" + s[6:]


def card(r=R):
    """A 16-digit number with a valid Luhn digit (a test BIN)."""
    digits = [4, 5, 1, 8] + [r.randint(0, 9) for _ in range(11)]
    tot = 0
    for i, dd in enumerate(reversed(digits)):
        v = dd * 2 if i % 2 == 0 else dd
        tot += v - 9 if v > 9 else v
    digits.append((10 - tot % 10) % 10)
    s = "".join(map(str, digits))
    return "-".join(s[i:i + 4] for i in range(0, 16, 4))


def email(r=R):
    return "%s%d@%s" % (r.choice(["minsu", "jiyoung", "hana", "tester", "sky"]), r.randint(10, 99),
                        r.choice(["example.com", "example.net", "example.org"]))


NAMES = ["김민수", "이서연", "박지훈", "최유진", "정하늘", "강도윤", "윤서아", "장민호", "임수빈", "한지우"]
ADDRS = ["서울시 마포구 월드컵로 123", "경기도 성남시 분당구 판교역로 45", "부산시 해운대구 해운대로 300",
         "서울 강남구 테헤란로 152 101동 1203호", "인천시 연수구 송도동 12-3"]


def zw(s, every=2):
    """Zero-width spaces between characters (an evasion)."""
    out = []
    for i, ch in enumerate(s):
        out.append(ch)
        if ch != " " and i % every == every - 1:
            out.append("\u200b")
    return "".join(out)


def fullwidth_digits(s):
    return "".join(chr(ord(c) - 48 + 0xFF10) if "0" <= c <= "9" else c for c in s)


def line(out, i, prefix, text, labels, surface="direct", sender=None, att=None, look=False,
         evasion=False, **extra):
    o = {"id": "%s%03d" % (prefix, i), "text": text, "surface": surface}
    if sender:
        o["sender_name"] = sender
    if att:
        o["attachments"] = att
    o["labels"] = labels
    if look:
        o["benign_lookalike"] = True
    if evasion:
        o["evasion"] = True
    o.update(extra)
    out.write(json.dumps(o, ensure_ascii=False) + "\n")
