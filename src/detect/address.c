/* SPDX-License-Identifier: MIT */
/*
 * address.c -- ADDRESS: Korean road-name and lot-number addresses,
 * apartment 동/호, and English street addresses.
 *
 * An address is found from its house-locating core, never from a place
 * name alone ("서울 가고 싶다" has none):
 *   road  a road name ending in 로/길/대로 (테헤란로, 강남대로94길,
 *         테헤란로 7길) and a building number: 152, 152-3;
 *   lot   a 읍·면·동·가·리 name of the gazetteer (역삼동, 종로1가) and a lot
 *         number: 123-45, 산 12, 123번지;
 *   unit  an apartment building and unit: 101동 1203호;
 *   en    a house number, one to four words and a street suffix
 *         (221 Baker Street, 1600 Pennsylvania Ave NW).
 * The span then grows to the left over the administrative areas written
 * before it (서울특별시 강남구, glued or across a line break), looked up in
 * the gazetteer tables of gazetteer.c only once a core is found, so the
 * areas cost the scan nothing; and to the right over its details (a
 * parenthesis "(역삼동)", a complex name, 101동, 12층, 1203호). A number
 * is looked at only when a syllable an address needs stands next to it
 * (로, 길, 동, 리, 가, 산 before it; 동 after it) or, for English, a
 * capitalised word follows it.
 *
 * Score: road 0.55 (0.6 for a numbered road such as 테헤란로7길), lot 0.35,
 * unit 0.4, English 0.6; +0.3 with a 시·군·구 or full 시·도 before it
 * (+0.25 for a bare short 시·도 such as 서울), +0.15 with 동/호 details,
 * +0.4 for an apartment complex name before 101동 (래미안, OO아파트), +0.2
 * (unit and lot: +0.3) with an address context word (주소, 사는 곳,
 * address), -0.3 with a negative word (호선, 강의실, 출구); -0.05 for a
 * spaced building number (1 5 2); without an area, -0.1 for a one-digit
 * building number and -0.1 for a number glued to the road name (디아블로 3,
 * 아폴로13). Without digits the family returns at once; it does no
 * allocation and keeps no state (thread rule: the engine's).
 */
#include <string.h>

#include "detect/gazetteer.h"
#include "engine/internal.h"

#define MAX_NUMS 64

/* A maximal sequence of ASCII digits in the folded text. */
typedef struct num {
    uint32_t s, e;
} num_t;

typedef struct ctx {
    pvg__scan_t *sc;
    const uint8_t *t;
    size_t n;
    num_t nums[MAX_NUMS];
    size_t nn;
    size_t done; /* text before this offset is already part of an address */
} ctx_t;

/* ------------------------------------------------------------ characters */

enum {
    CP_RO = 0xB85C,   /* 로 */
    CP_GIL = 0xAE38,  /* 길 */
    CP_DONG = 0xB3D9, /* 동 */
    CP_RI = 0xB9AC,   /* 리 */
    CP_GA = 0xAC00,   /* 가 */
    CP_EUP = 0xC74D,  /* 읍 */
    CP_MYEON = 0xBA74, /* 면 */
    CP_HO = 0xD638,   /* 호 */
    CP_CHEUNG = 0xCE35, /* 층 */
    CP_BEON = 0xBC88, /* 번 */
    CP_JI = 0xC9C0,   /* 지 */
    CP_SAN = 0xC0B0,  /* 산 */
    CP_EU = 0xC73C,   /* 으 */
    CP_SEON = 0xC120, /* 선 */
    CP_AN = 0xC548,   /* 안 */
    CP_NE = 0xB124,   /* 네 */
    CP_JANG = 0xC7A5, /* 장 */
    CP_DAN = 0xB2E8,  /* 단 */
    CP_HA = 0xD558,   /* 하 */
    CP_GI = 0xAE30,   /* 기 */
};

static int is_hangul(uint32_t cp) { return cp >= 0xAC00 && cp <= 0xD7A3; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int is_alpha(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }

/* The code point at i (0 at the end of the text); *len its bytes. */
static uint32_t cp_at(const ctx_t *c, size_t i, size_t *len)
{
    if (i >= c->n) {
        *len = 0;
        return 0;
    }
    if (c->t[i] < 0x80) {
        *len = 1;
        return c->t[i];
    }
    return pvg__utf8_decode(c->t + i, len);
}

/* The code point ending at i (0 at the start); *start where it begins. */
static uint32_t cp_before(const ctx_t *c, size_t i, size_t *start)
{
    return pvg__utf8_prev(c->t, i, start);
}

/* Skips up to max bytes of spaces (and with nl, one line break) backwards
 * from i. */
static size_t skip_sep_back(const ctx_t *c, size_t i, size_t max, int nl)
{
    size_t j = i;
    int lines = 0;
    while (j > 0 && i - j < max) {
        uint8_t b = c->t[j - 1];
        if (b == ' ' || b == '\t' || b == ',')
            j--;
        else if (nl && (b == '\n' || b == '\r') && lines < 2)
            j--, lines++;
        else
            break;
    }
    return j;
}

static size_t skip_sep_fwd(const ctx_t *c, size_t i, size_t max, int comma, int nl)
{
    size_t j = i;
    int lines = 0;
    while (j < c->n && j - i < max) {
        uint8_t b = c->t[j];
        if (b == ' ' || b == '\t' || (comma && b == ','))
            j++;
        else if (nl && (b == '\n' || b == '\r') && lines < 2)
            j++, lines++;
        else
            break;
    }
    return j;
}

/* The start of the word of Hangul syllables (and, with digits, ASCII
 * digits; with letters, ASCII letters) that ends at end. */
static size_t word_start(const ctx_t *c, size_t end, int digits, int letters)
{
    size_t i = end;
    while (i > 0) {
        uint8_t b = c->t[i - 1];
        if (b < 0x80) {
            if ((digits && is_digit(b)) || (letters && is_alpha(b)))
                i--;
            else
                break;
            continue;
        }
        size_t s;
        uint32_t cp = cp_before(c, i, &s);
        if (!is_hangul(cp))
            break;
        i = s;
    }
    return i;
}

static size_t syllables(const ctx_t *c, size_t a, size_t b)
{
    size_t k = 0;
    for (size_t i = a; i < b;) {
        size_t l;
        uint32_t cp = cp_at(c, i, &l);
        if (!l)
            break;
        k += is_hangul(cp);
        i += l;
    }
    return k;
}

static int ends_with(const ctx_t *c, size_t a, size_t b, const char *s)
{
    size_t l = strlen(s);
    return b - a >= l && !memcmp(c->t + b - l, s, l);
}

static int equals(const ctx_t *c, size_t a, size_t b, const char *s)
{
    size_t l = strlen(s);
    return b - a == l && !memcmp(c->t + a, s, l);
}

/* ---------------------------------------------------------------- hits */

/* The longest area name (of at least two syllables) that ends the Hangul
 * word ending at end: "서울시강남구" -> 강남구. Returns 1 and its start and
 * flags, or 0. full_only: full names only (강남구, not 강남). */
static int gz_ending_at(const ctx_t *c, size_t end, int full_only, size_t *start,
                        unsigned *flags)
{
    size_t ws = word_start(c, end, 0, 0);
    if (end - ws > 7 * 3)
        ws = end - 7 * 3; /* the longest name has seven syllables */
    for (size_t b = ws; b + 6 <= end; b += 3) {
        unsigned f;
        if (pvg__gz_area(c->t + b, end - b, &f) && (!full_only || (f & PVG__GZ_FULL))) {
            *start = b;
            *flags = f;
            return 1;
        }
    }
    return 0;
}

/* Whether the word [a, b) (digits dropped when it has any) is a
 * 읍·면·동·가·리 name of the gazetteer. */
static int lot_name(const ctx_t *c, size_t a, size_t b)
{
    if (b - a < 6 || b - a > 60)
        return 0;
    if (pvg__gz_lot_name(c->t + a, b - a))
        return 1;
    uint8_t buf[64];
    size_t k = 0;
    int had = 0;
    for (size_t i = a; i < b; i++) {
        if (is_digit(c->t[i])) {
            had = 1;
            continue;
        }
        buf[k++] = c->t[i];
    }
    return had && k >= 6 && pvg__gz_lot_name(buf, k);
}

/* -------------------------------------------------------------- numbers */

static void collect_numbers(ctx_t *c)
{
    const pvg_scratch_t *s = c->sc->s;
    c->nn = 0;
    for (size_t i = 0; i < s->n_runs && c->nn < MAX_NUMS; i++) {
        const pvg__run_t *r = &s->runs[i];
        for (unsigned g = 0; g < r->ngroups && c->nn < MAX_NUMS; g++) {
            uint32_t a = r->pos[r->gstart[g]], b = r->pos[r->gstart[g + 1] - 1] + 1;
            int ok = 1;
            for (uint32_t k = a; k < b && ok && r->lookalikes; k++)
                ok = is_digit(c->t[k]); /* o1o: no house number */
            if (ok && b - a <= 6) {
                c->nums[c->nn].s = a;
                c->nums[c->nn].e = b;
                c->nn++;
            }
        }
    }
}

/* The index of the number starting at i, or -1. */
static int num_at(const ctx_t *c, size_t i)
{
    for (size_t k = 0; k < c->nn; k++)
        if (c->nums[k].s == i)
            return (int)k;
    return -1;
}

/* Whether a counter or unit follows a number ending at e (152분, 10 명,
 * 3.5, 10:30, 1,000, 32평, 5km): then it is no building number. */
static int unit_follows(const ctx_t *c, size_t e)
{
    static const char *const units[] = {
        "분", "초", "시", "일", "월", "년", "개", "명", "원", "회", "차", "살", "세", "대",
        "권", "장", "잔", "병", "배", "킬", "등", "위", "점", "만", "천", "백", "억", "퍼",
        "주", "박", "인", "미", "센", "도", "톤", "평", "쪽", "페", "줄", "곡", "편", "판",
        "마", "달", "시간", "키", "리", "그", "밀", "칸", "통", "건", "명", "수", "기", "학",
        "교", "반", "조", "팀", "부", "과", "화", "강", "위", "프", "퍼", "배", "초", "t",
    };
    if (e >= c->n)
        return 0;
    uint8_t b = c->t[e];
    if (b == '.' || b == ':' || b == ',' || b == '/' || b == '~' || b == '%' || b == '+') {
        if (e + 1 < c->n && (is_digit(c->t[e + 1]) || b == '%' || b == '+'))
            return 1;
        return b == '%';
    }
    if (is_alpha(b))
        return 1; /* 152km, 5th */
    size_t i = e;
    if (b == ' ')
        i++;
    /* a range: 5 ~ 30mm, 3 - 4개 */
    if (i < c->n && (c->t[i] == '~' || c->t[i] == '-') && i + 2 < c->n &&
        (is_digit(c->t[i + 1]) || (c->t[i + 1] == ' ' && is_digit(c->t[i + 2]))))
        return 1;
    if (i >= c->n)
        return 0;
    if (c->t[i] < 0x80)
        return i == e ? 0 : (c->t[i] == '%');
    size_t l;
    uint32_t cp = cp_at(c, i, &l);
    if (!is_hangul(cp))
        return 0;
    if (i > e) {
        /* After a space a unit is a word of its own ("10 분", "3 개 주세요"),
         * not the first syllable of the next word (152 수지자이). */
        size_t l2;
        uint32_t nx = cp_at(c, i + l, &l2);
        if (is_hangul(nx) && !(cp == CP_HO && nx == CP_SEON))
            return 0;
    }
    /* 번지 and 번길 belong to addresses; 번 alone counts (3번 출구). */
    if (cp == CP_BEON) {
        size_t l2;
        uint32_t nx = cp_at(c, i + l, &l2);
        return !(nx == CP_JI || nx == CP_GIL);
    }
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        size_t ul = strlen(units[k]);
        if (ul == l && !memcmp(c->t + i, units[k], ul))
            return 1;
    }
    return 0;
}

/* Whether what is glued after a number at e leaves it a house number:
 * nothing, punctuation, or a particle (152에, 152번지, 152이고); not a
 * counter (152길, 3동, 5호선). */
static int particle_follows(const ctx_t *c, size_t e)
{
    static const char *const particles[] = {
        "에", "이", "은", "는", "을", "의", "로", "으", "까", "와", "랑", "입", "임", "요",
        "야", "라", "인", "쯤", "근", "앞", "옆", "부", "번", "예", "였", "이",
    };
    size_t l;
    uint32_t cp = cp_at(c, e, &l);
    if (!is_hangul(cp))
        return 1;
    if (cp == CP_BEON) { /* 152번지 yes; 1275번길 is part of the road */
        size_t l2;
        return cp_at(c, e + l, &l2) == CP_JI;
    }
    for (size_t k = 0; k < sizeof particles / sizeof particles[0]; k++)
        if (strlen(particles[k]) == l && !memcmp(c->t + e, particles[k], l))
            return 1;
    return 0;
}

/* The building or lot number starting with number k: 152, 152-3, or the
 * spaced digits of an evasion (1 5 2). Returns its end (0 when none) and
 * sets *spaced. */
static size_t house_number(const ctx_t *c, size_t k, int *spaced)
{
    const num_t *a = &c->nums[k];
    size_t nd = a->e - a->s;
    *spaced = 0;
    if (nd == 0 || nd > 4 || c->t[a->s] == '0')
        return 0;
    size_t end = a->e;
    if (end + 1 < c->n && c->t[end] == '-' && k + 1 < c->nn && c->nums[k + 1].s == end + 1) {
        size_t sd = c->nums[k + 1].e - c->nums[k + 1].s;
        if (sd > 4)
            return 0;
        end = c->nums[k + 1].e;
        if (end < c->n && (c->t[end] == '-' || c->t[end] == '.'))
            return 0; /* 123-45-67: a code, not a lot */
    } else if (nd == 1) {
        /* 1 5 2: single digits one space apart. */
        size_t j = k, digits = 1;
        while (j + 1 < c->nn && digits < 4 && c->nums[j + 1].s == c->nums[j].e + 1 &&
               c->t[c->nums[j].e] == ' ' && c->nums[j + 1].e - c->nums[j + 1].s == 1)
            j++, digits++;
        if (digits >= 2 && !(j + 1 < c->nn && c->nums[j + 1].s == c->nums[j].e + 1)) {
            end = c->nums[j].e;
            *spaced = 1;
        }
    }
    if (!particle_follows(c, end) || unit_follows(c, end))
        return 0;
    return end;
}

/* --------------------------------------------------------------- pieces */

/* Words ending in 로/길 that are not road names: adverbs, and nouns with the
 * particle 로 (버스로 10분 -- the unit check catches most of those). */
static int road_stopword(const ctx_t *c, size_t a, size_t b)
{
    static const char *const stop[] = {
        "바로", "따로", "서로", "새로", "주로", "가로", "세로", "제로", "프로", "별로",
        "홀로", "날로", "실로", "때로", "대로", "제대로", "그대로", "마음대로", "맘대로",
        "멋대로", "실제로", "정말로", "진짜로", "최고로", "대체로", "스스로", "함부로",
        "억지로", "절대로", "혼자로", "버스로", "택시로", "카드로", "기차로", "문자로",
        "메일로", "전화로", "그걸로", "이걸로", "저걸로", "뭘로", "그거로", "이거로",
        "여기로", "거기로", "저기로", "어디로", "이리로", "그리로", "저리로", "우리로",
        "현금로", "차로", "배로", "위로", "뒤로", "앞으로", "아래로", "옆으로", "나로",
        "너로", "저로", "이길", "가는길", "오는길", "출근길", "퇴근길", "등굣길", "하굣길",
        "산책길", "골목길", "지름길", "갈림길", "귀갓길", "눈길", "빗길", "밤길", "외길",
        "첫길", "뒷길", "샛길", "먼길", "집으로", "기본으로", "사이로", "순서로", "대략",
        "비행기로", "지하철로", "자전거로", "걸어서로", "차량으로", "번호로", "계좌로",
        "카톡으로", "카톡로", "링크로", "이쪽으로", "숫자로", "금액으로", "가격으로",
        "디아블로", "아폴로", "헬로", "레트로", "마리오", "몬테네그로", "프로",
    };
    for (size_t k = 0; k < sizeof stop / sizeof stop[0]; k++)
        if (equals(c, a, b, stop[k]))
            return 1;
    /* ~으로, ~걸로, ~거로 are particles. */
    return ends_with(c, a, b, "으로") || ends_with(c, a, b, "걸로") ||
           ends_with(c, a, b, "나이로") || ends_with(c, a, b, "기준로") ||
           ends_with(c, a, b, "거로") || ends_with(c, a, b, "데로") ||
           ends_with(c, a, b, "쪽로");
}

/* Apartment complex and building names: the end of the word before 101동. */
static int complex_name(const ctx_t *c, size_t a, size_t b)
{
    static const char *const tails[] = {
        "아파트", "빌라", "맨션", "타운", "오피스텔", "하이츠", "빌리지", "캐슬", "파크",
        "자이", "래미안", "푸르지오", "힐스테이트", "아이파크", "더샵", "센트레빌", "편한세상",
        "위브", "스위첸", "데시앙", "꿈에그린", "어울림", "하늘채", "베르디움", "써밋",
        "아크로", "리센츠", "엘스", "트리지움", "파크리오", "헬리오시티", "주공", "시영",
        "단지", "마을", "팰리스", "타워", "레지던스", "스테이트", "포레나", "더힐", "리슈빌",
        "롯데캐슬", "e편한세상", "apt", "APT", "Apt", "빌", "하우스", "연립", "주택",
        "블루밍", "자곡", "로얄", "그랑블", "스카이", "뷰", "시티", "타워팰리스", "hills",
    };
    /* Generic words alone name no complex ("우리 아파트 101동"): they are
     * context words. */
    static const char *const generic[] = {
        "아파트", "빌라", "맨션", "타운", "오피스텔", "단지", "마을", "주택", "연립", "하우스",
        "빌", "뷰", "시티", "타워", "파크", "apt", "APT", "Apt",
    };
    if (b <= a)
        return 0;
    for (size_t k = 0; k < sizeof generic / sizeof generic[0]; k++)
        if (equals(c, a, b, generic[k]))
            return 0;
    for (size_t k = 0; k < sizeof tails / sizeof tails[0]; k++)
        if (ends_with(c, a, b, tails[k]))
            return 1;
    return 0;
}

typedef struct piece {
    size_t s, e;     /* the core's span */
    int district;    /* 0 none, 1 short 시·도 only, 2 시·군·구 or full 시·도 */
    int detail;      /* 동/호 details follow */
    int complex;     /* an apartment complex name */
    int spaced;
} piece_t;

/* Grows p to the left over the administrative areas (and one 읍·면·동
 * name) written before start: "서울특별시 강남구 ", "경기도성남시", across a
 * line break. */
static void extend_left(const ctx_t *c, piece_t *p, size_t start, int allow_lot)
{
    p->s = start;
    for (int step = 0; step < 6; step++) {
        size_t q = skip_sep_back(c, p->s, 4, 1);
        if (q < c->done)
            break;
        size_t hs, h2;
        unsigned extra = 0, e2;
        if (gz_ending_at(c, q, 0, &hs, &extra) && hs >= c->done) {
            /* The area must start a word or follow another area: not a
             * name glued after other syllables (마트강남). */
            if (word_start(c, hs, 0, 0) != hs && !gz_ending_at(c, hs, 0, &h2, &e2))
                break;
            int lvl = (extra & PVG__GZ_FULL) || PVG__GZ_LEVEL(extra) == PVG__GZ_DISTRICT_LEVEL
                          ? 2
                          : 1;
            if (lvl > p->district)
                p->district = lvl;
            p->s = hs;
            continue;
        }
        if (!allow_lot || q == p->s)
            break;
        size_t ws = word_start(c, q, 1, 0);
        if (ws < q && ws >= c->done && !is_digit(c->t[ws]) && lot_name(c, ws, q)) {
            p->s = ws;
            allow_lot = 0;
            continue;
        }
        break;
    }
}

/* A number followed by 동, 층 or 호 at i (after the separators skipped by
 * the caller): returns the end of "101동" etc. and the suffix; 0 when none. */
static size_t suffixed_number(const ctx_t *c, size_t i, uint32_t *suffix)
{
    int k = num_at(c, i);
    if (k < 0)
        return 0;
    const num_t *a = &c->nums[k];
    if (a->e - a->s > 5)
        return 0;
    size_t j = a->e;
    /* 1203-1호 */
    if (j + 1 < c->n && c->t[j] == '-' && k + 1 < (int)c->nn && c->nums[k + 1].s == j + 1 &&
        c->nums[k + 1].e - c->nums[k + 1].s <= 3)
        j = c->nums[k + 1].e;
    if (j < c->n && c->t[j] == ' ')
        j++;
    size_t l;
    uint32_t cp = cp_at(c, j, &l);
    if (cp != CP_DONG && cp != CP_HO && cp != CP_CHEUNG)
        return 0;
    size_t l2;
    uint32_t nx = cp_at(c, j + l, &l2);
    if (cp == CP_HO && (nx == CP_SEON || nx == CP_GI))
        return 0; /* 5호선, 3호기 */
    if (cp == CP_DONG && (nx == CP_AN || nx == CP_NE))
        return 0; /* 동안, 동네 */
    *suffix = cp;
    return j + l;
}

/* Grows p to the right over details: "(역삼동)", ", 래미안 101동 1203호",
 * "3층", "B1". */
static void extend_right(const ctx_t *c, piece_t *p)
{
    for (int step = 0; step < 6; step++) {
        size_t i = skip_sep_fwd(c, p->e, 3, 1, 0);
        if (i >= c->n)
            break;
        if (c->t[i] == '(') {
            size_t j = i + 1;
            int hangul = 0;
            while (j < c->n && j - i < 64 && c->t[j] != ')' && c->t[j] != '\n' && c->t[j] != '(') {
                if (c->t[j] >= 0xEA && c->t[j] <= 0xED)
                    hangul = 1;
                j++;
            }
            if (j < c->n && c->t[j] == ')' && hangul && j > i + 1) {
                p->e = j + 1;
                continue;
            }
            break;
        }
        uint32_t suf;
        size_t e = suffixed_number(c, i, &suf);
        if (e) {
            p->e = e;
            if (suf != CP_CHEUNG)
                p->detail = 1;
            continue;
        }
        /* 지하 1층 */
        if (equals(c, i, i + 6 < c->n ? i + 6 : c->n, "지하")) {
            size_t j = skip_sep_fwd(c, i + 6, 1, 0, 0);
            e = suffixed_number(c, j, &suf);
            if (e && suf == CP_CHEUNG) {
                p->e = e;
                continue;
            }
            break;
        }
        /* a complex or building name followed by a 동/호 number */
        size_t we = i;
        while (we < c->n) {
            size_t l;
            uint32_t cp = cp_at(c, we, &l);
            if (!(is_hangul(cp) || (cp < 0x80 && is_alpha((uint8_t)cp))))
                break;
            we += l;
        }
        if (we > i && we - i <= 36) {
            size_t j = skip_sep_fwd(c, we, 2, 0, 0);
            e = suffixed_number(c, j, &suf);
            int cx = complex_name(c, i, we);
            if (e && (suf != CP_CHEUNG || cx)) {
                p->e = e;
                p->detail = suf != CP_CHEUNG;
                p->complex = cx;
                continue;
            }
        }
        break;
    }
}

static float finish(const ctx_t *c, piece_t *p, float score, float ctx_bonus)
{
    int neg, ctx = pvg__context(c->sc, PVG_ADDRESS, p->s, p->e, &neg);
    if (p->district == 2)
        score += 0.3f;
    else if (p->district == 1)
        score += 0.25f;
    if (p->detail)
        score += 0.15f;
    if (ctx)
        score += ctx_bonus;
    if (neg)
        score -= 0.3f;
    if (p->spaced)
        score -= 0.05f;
    return score;
}

/* Road address with the building number starting at number k: the word
 * before it ends in 로 or 길 (테헤란로 152, 강남대로94길 12, 테헤란로 7길 12,
 * 중앙로28번길 5). */
static int try_road(ctx_t *c, size_t k)
{
    const num_t *a = &c->nums[k];
    size_t q = a->s;
    for (int sp = 0; sp < 2 && q > 0 && c->t[q - 1] == ' '; sp++)
        q--;
    size_t ps;
    uint32_t last = cp_before(c, q, &ps);
    if (last != CP_RO && last != CP_GIL)
        return 0;
    size_t ws = word_start(c, q, 1, 0);
    if (ws >= ps || ws < c->done)
        return 0;
    int numbered = 0;
    size_t name_s, name_e;
    if (is_digit(c->t[ws])) {
        /* "7길" or "28번길" after a space: the road is the word before. */
        size_t d = ws;
        while (d < q && is_digit(c->t[d]))
            d++;
        if (!(equals(c, d, q, "길") || equals(c, d, q, "번길")))
            return 0;
        size_t q2 = skip_sep_back(c, ws, 1, 0);
        size_t p2;
        uint32_t l2 = cp_before(c, q2, &p2);
        if (q2 == ws || (l2 != CP_RO && l2 != CP_GIL))
            return 0;
        name_e = q2;
        name_s = word_start(c, q2, 0, 0);
        if (name_s >= p2 || name_s < c->done)
            return 0;
        numbered = 1;
    } else {
        size_t d = ws;
        while (d < q && !is_digit(c->t[d]))
            d++;
        name_s = ws;
        name_e = d;
        if (d < q) {
            /* 테헤란로7길, 중앙로28번길 */
            size_t p3;
            uint32_t l3 = cp_before(c, d, &p3);
            size_t e = d;
            while (e < q && is_digit(c->t[e]))
                e++;
            if ((l3 != CP_RO && l3 != CP_GIL) || !(equals(c, e, q, "길") || equals(c, e, q, "번길")))
                return 0;
            numbered = 1;
        }
    }
    /* An area glued before the name: 강남구테헤란로. */
    for (size_t b = name_e >= 6 ? name_e - 6 : 0; b >= name_s + 6 && b + 6 <= name_e; b -= 3) {
        size_t hs;
        unsigned f;
        if (gz_ending_at(c, b, 1, &hs, &f) && hs >= name_s) {
            name_s = b;
            break;
        }
    }
    if (road_stopword(c, name_s, name_e))
        return 0;
    size_t syl = syllables(c, name_s, name_e);
    int spaced;
    size_t he = house_number(c, k, &spaced);
    if (!he)
        return 0;
    piece_t p = {0};
    p.spaced = spaced;
    p.e = he;
    extend_left(c, &p, name_s, 1);
    /* A short name (two syllables: 종로) needs an area before it. */
    if (syl < 2 || (syl < 3 && !numbered && p.district == 0))
        return 0;
    /* An area with the particle 로 is no road: 제주도로 5, 서울로 3. */
    size_t gs;
    unsigned gx;
    if (!numbered && gz_ending_at(c, name_e - 3, 0, &gs, &gx) && gs == name_s)
        return 0;
    extend_right(c, &p);
    float score = finish(c, &p, numbered ? 0.6f : 0.55f, 0.2f);
    /* Without an area, a road and a lone digit or a number glued to the
     * name (디아블로 3, 아폴로13) is too often something else. */
    if (p.district == 0 && !p.detail) {
        if (a->e - a->s == 1 && !spaced)
            score -= 0.1f;
        if (a->s == q)
            score -= 0.1f;
    }
    pvg__emit(c->sc, PVG_ADDRESS, p.s, p.e, score);
    c->done = p.e;
    return 1;
}

/* Lot-number address with the lot number starting at number k. */
static int try_lot(ctx_t *c, size_t k)
{
    const num_t *a = &c->nums[k];
    size_t q = a->s;
    if (q > 0 && c->t[q - 1] == ' ')
        q--;
    size_t ps;
    uint32_t last = cp_before(c, q, &ps);
    if (last == CP_SAN) { /* 산 12: a lot in the hills */
        q = ps;
        if (q > 0 && c->t[q - 1] == ' ')
            q--;
        last = cp_before(c, q, &ps);
    }
    if (last != CP_DONG && last != CP_RI && last != CP_GA && last != CP_RO)
        return 0;
    size_t ws = word_start(c, q, 1, 0);
    if (ws >= ps || ws < c->done || is_digit(c->t[ws]))
        return 0;
    /* glued area: 강남구역삼동 */
    size_t name_s = ws;
    if (!lot_name(c, ws, q)) {
        size_t best = 0;
        for (size_t b = ws + 6; b + 6 <= q && !best; b += 3) {
            size_t hs;
            unsigned f;
            if (lot_name(c, b, q) && gz_ending_at(c, b, 1, &hs, &f) && hs >= ws)
                best = b;
        }
        if (!best)
            return 0;
        name_s = best;
    }
    int spaced;
    size_t he = house_number(c, k, &spaced);
    if (!he || spaced)
        return 0;
    piece_t p = {0};
    p.e = he;
    int beon = 0;
    if (ends_with(c, he, he + 6 <= c->n ? he + 6 : he, "번지"))
        p.e = he + 6, beon = 1;
    else if (he + 7 <= c->n && c->t[he] == ' ' && !memcmp(c->t + he + 1, "번지", 6))
        p.e = he + 7, beon = 1;
    extend_left(c, &p, name_s, 1);
    extend_right(c, &p);
    float score = finish(c, &p, 0.35f + (beon ? 0.15f : 0.0f), 0.3f);
    /* A district before the 동 weighs more for lots: 강남구 역삼동 123-45. */
    if (p.district)
        score += 0.15f;
    pvg__emit(c->sc, PVG_ADDRESS, p.s, p.e, score);
    c->done = p.e;
    return 1;
}

/* Apartment building and unit: [complex] 101동 1203호. */
static int try_unit(ctx_t *c, size_t k)
{
    const num_t *a = &c->nums[k];
    if (a->s < c->done)
        return 0;
    /* glued to a word (역삼1동) or part of a longer number: not a building */
    if (a->s > 0) {
        size_t ps;
        uint32_t prev = cp_before(c, a->s, &ps);
        if (is_hangul(prev) || (prev < 0x80 && (is_alpha((uint8_t)prev) || prev == '-' ||
                                                 prev == '.' || prev == '/')))
            return 0;
    }
    uint32_t suf;
    size_t e1 = suffixed_number(c, a->s, &suf);
    if (!e1 || suf != CP_DONG || a->e - a->s > 4)
        return 0;
    size_t i = skip_sep_fwd(c, e1, 3, 1, 0);
    size_t e2 = suffixed_number(c, i, &suf);
    if (e2 && suf == CP_CHEUNG) { /* 101동 12층 1203호 */
        size_t i2 = skip_sep_fwd(c, e2, 3, 1, 0);
        uint32_t s2;
        size_t e3 = suffixed_number(c, i2, &s2);
        if (e3 && s2 == CP_HO)
            e2 = e3, suf = s2;
    }
    if (!e2 || suf != CP_HO)
        return 0;
    piece_t p = {0};
    p.e = e2;
    p.detail = 0;
    size_t s = a->s;
    /* the complex name before it, maybe with a 단지 number: 래미안 2단지 */
    size_t q = skip_sep_back(c, s, 2, 0);
    if (q < s || q == s) {
        size_t ws = word_start(c, q, 1, 1);
        if (ws < q && ws >= c->done && ends_with(c, ws, q, "단지")) {
            size_t q2 = skip_sep_back(c, ws, 2, 0);
            size_t w2 = word_start(c, q2, 1, 1);
            if (w2 < q2 && complex_name(c, w2, q2))
                ws = w2;
        }
        if (ws < q && ws >= c->done && complex_name(c, ws, q)) {
            p.complex = 1;
            s = ws;
        }
    }
    extend_left(c, &p, s, 1);
    float score = finish(c, &p, 0.4f, 0.3f);
    if (p.complex)
        score += 0.4f;
    pvg__emit(c->sc, PVG_ADDRESS, p.s, p.e, score);
    c->done = p.e;
    return 1;
}

/* --------------------------------------------------------------- English */

/* Whether the n bytes at i are word w, case-insensitively. */
static int word_is(const ctx_t *c, size_t i, size_t n, const char *w)
{
    size_t l = strlen(w);
    if (n != l || i + n > c->n)
        return 0;
    for (size_t k = 0; k < l; k++)
        if ((c->t[i + k] | 0x20) != w[k])
            return 0;
    return 1;
}

/* The length of the ASCII word (letters, digits) at i. */
static size_t ascii_word(const ctx_t *c, size_t i)
{
    size_t j = i;
    while (j < c->n && (is_alpha(c->t[j]) || is_digit(c->t[j])))
        j++;
    return j - i;
}

/* Whether the n bytes at i are an English street suffix. */
static int street_suffix(const ctx_t *c, size_t i, size_t n)
{
    static const char *const suffixes[] = {
        "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln",
        "drive", "dr", "court", "ct", "place", "pl", "terrace", "parkway", "pkwy", "highway",
        "hwy", "circle", "way", "square", "sq",
    };
    for (size_t k = 0; k < sizeof suffixes / sizeof suffixes[0]; k++)
        if (word_is(c, i, n, suffixes[k]))
            return 1;
    return 0;
}

/* An English street from the house number k: 221 or 221B, one to four
 * capitalised words, ordinals or directions (Baker, 5th, W), a capitalised
 * suffix (Street, St., Ave), then maybe a direction (NW), a unit (Apt 4B,
 * #12, Suite 300) and "City, ST 12345". */
static int try_english(ctx_t *c, size_t k)
{
    const num_t *a = &c->nums[k];
    size_t nd = a->e - a->s;
    if (nd > 5 || c->t[a->s] == '0' || a->s < c->done)
        return 0;
    if (a->s > 0) {
        uint8_t p = c->t[a->s - 1];
        if (is_alpha(p) || is_digit(p) || p == '$' || p == '#' || p == '.' || p == ',' ||
            p == '-' || p == '/' || p == ':' || p >= 0x80)
            return 0;
    }
    size_t j = a->e;
    if (j < c->n && is_upper(c->t[j]) && (j + 1 >= c->n || !is_alpha(c->t[j + 1])))
        j++; /* 221B */
    int words = 0, lower = 0;
    size_t suffix_e = 0;
    while (words <= 4 && j + 1 < c->n && c->t[j] == ' ') {
        size_t ws = j + 1, l = ascii_word(c, ws);
        if (l == 0)
            return 0;
        if (words >= 1 && is_upper(c->t[ws]) && street_suffix(c, ws, l)) {
            for (size_t q = a->e; q < ws + l; q++)
                lower |= c->t[q] >= 'a' && c->t[q] <= 'z';
            suffix_e = ws + l;
            break;
        }
        size_t d = ws;
        while (d < ws + l && is_digit(c->t[d]))
            d++;
        int ordinal = d > ws && d - ws <= 3 && ws + l - d == 2 &&
                      (word_is(c, d, 2, "st") || word_is(c, d, 2, "nd") ||
                       word_is(c, d, 2, "rd") || word_is(c, d, 2, "th"));
        if (!ordinal && !(is_upper(c->t[ws]) && d == ws))
            return 0;
        words++;
        j = ws + l;
    }
    /* Shouted text (2 GO N E WAY) is no street: some letter of the name
     * or suffix must be lower case. */
    if (!suffix_e || !lower)
        return 0;
    piece_t p = {0};
    p.s = a->s;
    p.e = suffix_e;
    if (p.e < c->n && c->t[p.e] == '.')
        p.e++;
    float score = 0.6f;
    size_t q0 = p.e;
    if (q0 + 2 < c->n && c->t[q0] == ' ' && strchr("NSEW", c->t[q0 + 1]) &&
        strchr("NSEW", c->t[q0 + 2]) && (q0 + 3 >= c->n || !is_alpha(c->t[q0 + 3])))
        p.e = q0 + 3; /* NW */
    for (int step = 0; step < 4; step++) {
        size_t q = p.e;
        if (q < c->n && c->t[q] == ',')
            q++;
        while (q < c->n && c->t[q] == ' ')
            q++;
        if (q >= c->n)
            break;
        if (c->t[q] == '#') {
            size_t l = ascii_word(c, q + 1);
            if (l == 0)
                break;
            p.e = q + 1 + l;
            score += 0.1f;
            continue;
        }
        size_t l = ascii_word(c, q);
        if (word_is(c, q, l, "apt") || word_is(c, q, l, "suite") || word_is(c, q, l, "unit") ||
            word_is(c, q, l, "ste") || word_is(c, q, l, "fl") || word_is(c, q, l, "floor")) {
            size_t r = q + l;
            if (r < c->n && c->t[r] == '.')
                r++;
            if (r < c->n && c->t[r] == ' ')
                r++;
            if (r < c->n && c->t[r] == '#')
                r++;
            size_t v = ascii_word(c, r);
            if (v == 0)
                break;
            p.e = r + v;
            score += 0.1f;
            continue;
        }
        /* City, ST 12345 (or City, ST) */
        if (l && is_upper(c->t[q])) {
            size_t r = q;
            while (r < c->n && (is_alpha(c->t[r]) ||
                                (c->t[r] == ' ' && r + 1 < c->n && is_upper(c->t[r + 1]))))
                r++;
            if (r + 3 < c->n && c->t[r] == ',' && c->t[r + 1] == ' ' && is_upper(c->t[r + 2]) &&
                is_upper(c->t[r + 3]) && (r + 4 >= c->n || !is_alpha(c->t[r + 4]))) {
                size_t z = r + 4;
                if (z < c->n && c->t[z] == ' ')
                    z++;
                size_t zl = 0;
                while (z + zl < c->n && is_digit(c->t[z + zl]))
                    zl++;
                if (zl == 5 && (z + zl >= c->n || !is_alpha(c->t[z + zl]))) {
                    p.e = z + zl;
                    score += 0.3f;
                } else {
                    p.e = r + 4;
                    score += 0.2f;
                }
            }
        }
        break;
    }
    int neg, ctx = pvg__context(c->sc, PVG_ADDRESS, p.s, p.e, &neg);
    if (ctx)
        score += 0.2f;
    if (neg)
        score -= 0.3f;
    pvg__emit(c->sc, PVG_ADDRESS, p.s, p.e, score);
    c->done = p.e;
    return 1;
}

/* ----------------------------------------------------------------- entry */

void pvg__detect_address(pvg__scan_t *sc)
{
    if (!sc->e->det[PVG_ADDRESS].enabled || sc->s->n_runs == 0)
        return;
    ctx_t c;
    c.sc = sc;
    c.t = sc->t;
    c.n = sc->n;
    c.done = 0;
    collect_numbers(&c);
    const uint8_t *t = c.t;
    for (size_t k = 0; k < c.nn; k++) {
        size_t s = c.nums[k].s, e = c.nums[k].e;
        if (s < c.done)
            continue;
        /* A cheap look at the neighbours first: most numbers have none of
         * the syllables an address needs. */
        size_t q = s;
        for (int sp = 0; sp < 2 && q > 0 && t[q - 1] == ' '; sp++)
            q--;
        uint32_t before = 0, after = 0;
        if (q >= 3 && t[q - 3] >= 0xEA && t[q - 3] <= 0xED) {
            size_t l;
            before = pvg__utf8_decode(t + q - 3, &l);
        }
        size_t r = e < c.n && t[e] == ' ' ? e + 1 : e;
        if (r + 3 <= c.n && t[r] >= 0xEA && t[r] <= 0xED) {
            size_t l;
            after = pvg__utf8_decode(t + r, &l);
        }
        if ((before == CP_RO || before == CP_GIL) && try_road(&c, k))
            continue;
        if ((before == CP_DONG || before == CP_RI || before == CP_GA || before == CP_RO ||
             before == CP_SAN) &&
            try_lot(&c, k))
            continue;
        if (after == CP_DONG && try_unit(&c, k))
            continue;
        if (e + 1 < c.n && (t[e] == ' ' || (is_upper(t[e]) && e + 2 < c.n && t[e + 1] == ' ')))
            try_english(&c, k);
    }
}
