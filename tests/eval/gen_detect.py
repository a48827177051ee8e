#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates the labelled detector development set (tests/eval/detect_dev.jsonl).

Every value is fake: numbers are drawn from a seeded generator with valid check
digits where the format has them, names are random surname + given-name
syllables, addresses use real district and road names (public facts) with
made-up building numbers. About a fifth of the messages carry an evasion
(spaced, dotted, full-width, Hangul digits, mixed, zero-width, look-alike
letters, a line break). Each line is a scan-contract message plus
"spans": [{"type", "start", "end"}] in UTF-8 byte offsets and "evasion".

Usage: gen_detect.py [--seed N] [--count N] > tests/eval/detect_dev.jsonl
"""
import argparse
import json
import random

HANGUL_DIGITS = "공일이삼사오육칠팔구"
FULLWIDTH = {str(i): chr(0xFF10 + i) for i in range(10)}
FULLWIDTH["-"] = "\uFF0D"

SURNAMES = "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어경봉사"
GIVEN = "민서지현준우연수영하은도윤호진성예원재경태희나혜동주승유채아인시상정명훈혁석빈율린"
BANKS = [("국민은행", "######-##-######"), ("신한은행", "###-###-######"),
         ("우리은행", "####-###-######"), ("하나은행", "###-######-#####"),
         ("농협", "###-####-####-##"), ("기업은행", "###-######-##-###"),
         ("카카오뱅크", "3333-##-#######"), ("토스뱅크", "1000-####-####"),
         ("케이뱅크", "100-###-######"), ("우체국", "######-##-######"),
         ("새마을금고", "9###-####-####-#"), ("SC제일은행", "###-##-######")]
ROADS = [("서울특별시", "강남구", "테헤란로"), ("서울", "마포구", "월드컵북로"),
         ("서울시", "송파구", "올림픽로"), ("부산광역시", "해운대구", "해운대로"),
         ("경기도", "성남시 분당구", "판교역로"), ("인천", "연수구", "컨벤시아대로"),
         ("대구광역시", "수성구", "달구벌대로"), ("광주", "서구", "상무대로"),
         ("대전광역시", "유성구", "대학로"), ("경기", "수원시 영통구", "광교로"),
         ("제주특별자치도", "제주시", "연삼로"), ("강원특별자치도", "춘천시", "중앙로")]
APTS = ["래미안", "자이", "힐스테이트", "푸르지오", "e편한세상", "롯데캐슬", "아이파크", "더샵"]
DOMAINS = ["example.com", "example.co.kr", "test.net", "mail.example.org", "example.kr"]
EN_FIRST = ["James", "Olivia", "Daniel", "Sophia", "Michael", "Emma", "David", "Grace"]
EN_LAST = ["Smith", "Johnson", "Brown", "Miller", "Wilson", "Taylor", "Anderson", "Clark"]


def luhn_digit(d):
    s = 0
    for i, ch in enumerate(reversed(d)):
        v = int(ch)
        if i % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        s += v
    return str((10 - s % 10) % 10)


def rrn(rnd, foreigner=False):
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    while True:
        y = rnd.randint(50, 99)
        m, dd = rnd.randint(1, 12), rnd.randint(1, 28)
        g = (5 if foreigner else 1) + rnd.randint(0, 1)
        body = "%02d%02d%02d%d%02d%03d" % (y, m, dd, g, rnd.randint(0, 96), rnd.randint(0, 999))
        s = sum(int(body[i]) * w[i] for i in range(12))
        return body[:6] + "-" + body[6:] + str((11 - s % 11) % 10)


def phone(rnd):
    kind = rnd.random()
    if kind < 0.7:
        return "010-%04d-%04d" % (rnd.randint(2000, 9999), rnd.randint(0, 9999))
    if kind < 0.85:
        return "02-%03d-%04d" % (rnd.randint(200, 999), rnd.randint(0, 9999))
    return "031-%03d-%04d" % (rnd.randint(200, 999), rnd.randint(0, 9999))


def card(rnd):
    p = rnd.choice(["4", "51", "52", "55", "9410"])
    d = p + "".join(str(rnd.randint(0, 9)) for _ in range(15 - len(p)))
    d += luhn_digit(d)
    return "-".join(d[i:i + 4] for i in range(0, 16, 4))


def fill(rnd, pattern):
    return "".join(str(rnd.randint(0, 9)) if c == "#" else c for c in pattern)


def name(rnd):
    return rnd.choice(SURNAMES[:40]) + "".join(rnd.choice(GIVEN) for _ in range(2))


def passport(rnd):
    if rnd.random() < 0.5:
        return "M%03d%s%04d" % (rnd.randint(0, 999), rnd.choice("ABCDEFGHJK"), rnd.randint(0, 9999))
    return "M%08d" % rnd.randint(10000000, 99999999)


def license_(rnd):
    return "%02d-%02d-%06d-%02d" % (rnd.randint(11, 26), rnd.randint(10, 24),
                                    rnd.randint(0, 999999), rnd.randint(10, 99))


def address(rnd):
    city, gu, road = rnd.choice(ROADS)
    if rnd.random() < 0.5:
        return "%s %s %s %d" % (city, gu, road, rnd.randint(1, 400))
    return "%s %s %d동 %d호" % (gu, rnd.choice(APTS), rnd.randint(101, 120), rnd.randint(101, 2503))


def dob(rnd):
    y, m, d = rnd.randint(1960, 2005), rnd.randint(1, 12), rnd.randint(1, 28)
    return rnd.choice(["%d년 %d월 %d일" % (y, m, d), "%d.%02d.%02d" % (y, m, d),
                       "%d-%02d-%02d" % (y, m, d)])


# ---------------------------------------------------------------- evasions

def evade(rnd, value, kind):
    """Returns (text, name) of an evasion that keeps the value one finding."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 7:
        return value, None
    choice = rnd.choice(["spaced", "dotted", "fullwidth", "hangul", "mixed", "zerowidth",
                         "lookalike", "newline"])
    if choice == "spaced":
        return " ".join(c for c in value if c != "-"), choice
    if choice == "dotted":
        return value.replace("-", "."), choice
    if choice == "fullwidth":
        return "".join(FULLWIDTH.get(c, c) for c in value), choice
    if choice == "hangul":
        return "".join(HANGUL_DIGITS[int(c)] if c.isdigit() else c for c in value), choice
    if choice == "mixed":
        parts = value.split("-")
        parts[-1] = "".join(HANGUL_DIGITS[int(c)] for c in parts[-1])
        return "-".join(parts), choice
    if choice == "zerowidth":
        return value.replace("-", "\u200b"), choice
    if choice == "lookalike" and "0" in value:
        i = value.index("0")
        return value[:i] + "o" + value[i + 1:], choice
    if choice == "newline" and "-" in value:
        i = value.rindex("-")
        return value[:i] + "\n" + value[i:], choice
    return value.replace("-", " "), "spaced"


TEMPLATES = {
    "KR_RRN": ["주민번호 {v} 맞는지 확인해줘", "이 사람 주민등록번호 {v} 임", "주민번호는 {v}이에요",
               "resident number {v}", "{v} 이거 주민번호야"],
    "KR_FRN": ["외국인등록번호 {v} 입니다", "외국인 번호 {v} 확인 부탁"],
    "PHONE_NUMBER": ["제 번호는 {v} 이에요", "이 사람 번호 {v} 다들 연락해", "{v}로 연락주세요",
                     "call me at {v}", "폰번호 {v} 문자줘", "연락처 {v}"],
    "EMAIL_ADDRESS": ["메일 {v} 로 보내주세요", "이메일은 {v}입니다", "email me at {v}"],
    "CREDIT_CARD": ["카드번호 {v} 로 결제해줘", "card number {v} exp 12/27", "결제 카드 {v}"],
    "IP_ADDRESS": ["서버 아이피 {v} 접속 안돼요", "server ip is {v}", "이 사람 아이피 {v} 추적함"],
    "KR_BANK_ACCOUNT": ["{b} {v} 으로 입금해주세요", "계좌는 {b} {v} 입금 부탁해요", "{b} 계좌 {v}로 이체 부탁"],
    "KR_PASSPORT": ["여권번호 {v} 입니다", "passport number {v}", "여권 {v} 사본 보내드려요"],
    "KR_DRIVER_LICENSE": ["운전면허번호 {v}", "면허번호 {v} 입니다", "driver license {v}"],
    "ADDRESS": ["주소 {v}로 보내주세요", "우리 집 {v}이에요", "배송지 {v}", "이 사람 사는 곳 {v}"],
    "PERSON": ["이름은 {v}입니다", "{v} 씨 번호 아는 사람?", "성명 {v}", "얘 이름 {v}임"],
    "DATE_OF_BIRTH": ["생년월일 {v}", "생일은 {v}이에요", "DOB {v}"],
}
EN_PERSON = ["my name is {v}", "Name: {v}", "this is {v} from the shop"]


def make_value(rnd, t):
    if t == "KR_RRN":
        return rrn(rnd)
    if t == "KR_FRN":
        return rrn(rnd, True)
    if t == "PHONE_NUMBER":
        return phone(rnd)
    if t == "EMAIL_ADDRESS":
        return "%s%d@%s" % (rnd.choice(["minji", "jhkim", "sora.lee", "hana_22", "dy.park"]),
                            rnd.randint(1, 999), rnd.choice(DOMAINS))
    if t == "CREDIT_CARD":
        return card(rnd)
    if t == "IP_ADDRESS":
        return "%d.%d.%d.%d" % (rnd.randint(1, 223), rnd.randint(0, 255), rnd.randint(0, 255),
                                rnd.randint(1, 254))
    if t == "KR_PASSPORT":
        return passport(rnd)
    if t == "KR_DRIVER_LICENSE":
        return license_(rnd)
    if t == "ADDRESS":
        return address(rnd)
    if t == "PERSON":
        return name(rnd)
    if t == "DATE_OF_BIRTH":
        return dob(rnd)
    raise ValueError(t)


NUMERIC = {"KR_RRN", "KR_FRN", "PHONE_NUMBER", "CREDIT_CARD", "KR_BANK_ACCOUNT",
           "KR_DRIVER_LICENSE"}

NEGATIVES = [
    "주문번호 2024-1128-004213 배송 언제 와요?", "송장번호 6012-3456-7890 조회 부탁드려요",
    "고객센터 1588-1234 로 전화하세요", "가격은 15,000원이고 배송비 3,000원", "버전 1.2.3.4 업데이트 했어요",
    "오늘 3시 5분에 만나", "2024년 1월 15일 공지입니다", "강남역 2번 출구에서 만나요", "101호 강의실로 오세요",
    "이번 주말에 서울 가고 싶다", "김치찌개 먹을래", "정말 이상한 날씨네", "모델번호 SM-G991N 입니다",
    "사업자등록번호 104-86-56659", "쿠폰번호 4111-1111-1111-1111 등록하세요", "3호선 타고 가면 돼",
    "점수 95.5 90.1 88.7 나왔어", "ISBN 978-89-1234-567-8 책 찾아요", "call 112 in an emergency",
    "meeting at 10:30 in room 204", "the build 2.14.0.1 fixed it", "신고 접수번호 20241128-00123",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=1200)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    types = list(TEMPLATES)
    for i in range(a.count):
        if rnd.random() < 0.15:
            text = rnd.choice(NEGATIVES)
            print(json.dumps({"id": "d%d" % i, "text": text, "surface": "open_chat", "spans": [],
                              "evasion": None}, ensure_ascii=False))
            continue
        t = rnd.choice(types)
        if t == "KR_BANK_ACCOUNT":
            bank, pat = rnd.choice(BANKS)
            v = fill(rnd, pat)
            tmpl = rnd.choice(TEMPLATES[t])
        else:
            bank = None
            v = make_value(rnd, t)
            tmpl = rnd.choice(TEMPLATES[t])
            if t == "PERSON" and rnd.random() < 0.25:
                v = rnd.choice(EN_FIRST) + " " + rnd.choice(EN_LAST)
                tmpl = rnd.choice(EN_PERSON)
        ev = None
        if t in NUMERIC and rnd.random() < 0.25:
            v, ev = evade(rnd, v, t)
        pre, post = tmpl.split("{v}")
        pre = pre.replace("{b}", bank or "")
        post = post.replace("{b}", bank or "")
        text = pre + v + post
        start = len(pre.encode())
        end = start + len(v.encode())
        print(json.dumps({"id": "d%d" % i, "text": text, "surface": "open_chat",
                          "spans": [{"type": t, "start": start, "end": end}], "evasion": ev},
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
