/* SPDX-License-Identifier: MIT */
/*
 * person.c -- PERSON: Korean full names and English names, found through
 * the words around them, never from the shape of a word alone.
 *
 * A Korean full name is a surname (one syllable, or one of the two-syllable
 * surnames such as 남궁) followed by one or two given-name syllables. Almost
 * every Hangul syllable is some surname, and most two- and three-syllable
 * words look like names (정말, 이상, 강아지), so a name is looked for only
 * where a cue says one stands:
 *   - a label before it: 이름, 성명, 본명, 성함, 예금주 ... (rules:
 *     PERSON context_before), or English "name:", "my name is";
 *   - an honorific right after it: 씨, 님, 양, 군 (rules: PERSON
 *     context_after), also across a title (김민준 선생님);
 *   - a pointing word before it: 이 사람, 얘, 걔 ... (built in);
 *   - a self-introduction: 저는 김민준입니다 (built in);
 *   - another finding right next to it: 김민준 010-1234-5678 (this family
 *     runs last and reads the other families' candidates);
 *   - English titles: Mr. Kim, Dr. Jane Foster (built in).
 * The candidate must then pass the tables of person_tables.h: a known
 * surname, given-name syllables common in names, not a common word, not a
 * title (김 부장님). The span is the name only: never the cue, an honorific
 * or a particle glued after it (김민준이, 박서연입니다).
 */
#include <string.h>

#include "engine/internal.h"
#include "detect/person_tables.h"

/* Kinds of the built-in cue words (pvg__word_t.extra). Words from the rules
 * carry extra 0 and are read by their side: before = label, after =
 * honorific. */
enum {
    CUE_RULES = 0,
    CUE_DEMO = 1,      /* 이 사람, 얘, 걔: a name follows */
    CUE_SELF = 2,      /* 저는, 나는: a name with a copula follows */
    CUE_EN_MYNAME = 3, /* "my name is": lowercase names accepted */
    CUE_EN_TITLE = 4,  /* Mr, Mrs, Ms, Dr */
    CUE_EN_INTRO = 5,  /* "this is", "i am": a first and a last name follow */
};

static const pvg__builtin_word_t person_words[] = {
    {"이 사람", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이사람", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"저 사람", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"그 사람", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이분", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"그분", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"저분", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"얘", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"걔", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"쟤", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이 새끼", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이새끼", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이놈", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이년", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"이 친구", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_DEMO},
    {"저는", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_SELF},
    {"나는", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_SELF},
    {"제가", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_SELF},
    {"my name is", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_MYNAME},
    {"my name's", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_MYNAME},
    {"mr", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_TITLE},
    {"mrs", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_TITLE},
    {"ms", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_TITLE},
    {"miss", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_TITLE},
    {"mister", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_TITLE},
    {"dr", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_TITLE},
    {"this is", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_INTRO},
    {"i am", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_INTRO},
    {"i'm", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_INTRO},
    {"it's", PVG_PERSON, 0, PVG__SIDE_BEFORE, CUE_EN_INTRO},
};

size_t pvg__person_words(const pvg__builtin_word_t **out)
{
    *out = person_words;
    return sizeof person_words / sizeof person_words[0];
}

/* ---------------------------------------------------------- syllables */

#define SYL(cp) ((int)(cp) - 0xAC00)
/* Syllable indexes of the particles and endings used below. */
#define S_I SYL(0xC774)    /* 이 */
#define S_GA SYL(0xAC00)   /* 가 */
#define S_EUN SYL(0xC740)  /* 은 */
#define S_NEUN SYL(0xB294) /* 는 */
#define S_EUL SYL(0xC744)  /* 을 */
#define S_REUL SYL(0xB97C) /* 를 */
#define S_DO SYL(0xB3C4)   /* 도 */
#define S_RANG SYL(0xB791) /* 랑 */
#define S_YO SYL(0xC694)   /* 요 */
#define S_UI SYL(0xC758)   /* 의 */
#define S_ET SYL(0xC557)   /* 앗 */
#define S_REUM SYL(0xB984) /* 름 */
#define S_SSI SYL(0xC528)  /* 씨 */
#define S_NIM SYL(0xB2D8)  /* 님 */
#define S_YANG SYL(0xC591) /* 양 */
#define S_GUN SYL(0xAD70)  /* 군 */
#define S_YA SYL(0xC57C)   /* 야 */
#define S_DEUL SYL(0xB4E4) /* 들 */
#define S_HYEONG SYL(0xD615) /* 형 */

/* The syllable index of the Hangul syllable at t[i], or -1. */
static int syl_at(const uint8_t *t, size_t n, size_t i)
{
    if (i + 3 > n || t[i] < 0xEA || t[i] > 0xED)
        return -1;
    size_t l;
    uint32_t cp = pvg__utf8_decode(t + i, &l);
    if (cp < 0xAC00 || cp > 0xD7A3)
        return -1;
    return (int)(cp - 0xAC00);
}

/* The syllable index of the Hangul syllable ending at t[end), or -1. */
static int syl_before(const uint8_t *t, size_t end)
{
    if (end < 3)
        return -1;
    size_t n = end;
    return syl_at(t, n, end - 3);
}

static int is_latin(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Packs syllables into a table word (person_tables.h). */
static uint64_t pack(const int *s, unsigned k)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < k; i++)
        v = (v << 14) | (uint64_t)(s[i] + 1);
    return v;
}

static int in_u64(const uint64_t *a, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a[mid] == v)
            return 1;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int surname1(int syl)
{
    size_t lo = 0, hi = sizeof person_surnames / sizeof person_surnames[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (person_surnames[mid].syl == syl)
            return person_surnames[mid].per10k ? person_surnames[mid].per10k : 1;
        if (person_surnames[mid].syl < syl)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int surname2(int a, int b)
{
    int s[2] = {a, b};
    uint32_t v = (uint32_t)pack(s, 2);
    for (size_t i = 0; i < sizeof person_surnames2 / sizeof person_surnames2[0]; i++)
        if (person_surnames2[i].word == v)
            return person_surnames2[i].per10k;
    return 0;
}

static int given_ok(int syl)
{
    size_t lo = 0, hi = sizeof person_given / sizeof person_given[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (person_given[mid] == syl)
            return 1;
        if (person_given[mid] < syl)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Exposed to the unit test: whether the tables are sorted. */
int pvg__person_tables_sorted(void);
int pvg__person_tables_sorted(void)
{
    for (size_t i = 1; i < sizeof person_surnames / sizeof person_surnames[0]; i++)
        if (person_surnames[i - 1].syl >= person_surnames[i].syl)
            return 0;
    for (size_t i = 1; i < sizeof person_given / sizeof person_given[0]; i++)
        if (person_given[i - 1] >= person_given[i])
            return 0;
    for (size_t i = 1; i < sizeof person_common / sizeof person_common[0]; i++)
        if (person_common[i - 1] >= person_common[i])
            return 0;
    for (size_t i = 1; i < sizeof person_titles / sizeof person_titles[0]; i++)
        if (person_titles[i - 1] >= person_titles[i])
            return 0;
    return 1;
}

/* ------------------------------------------------------------ suffixes */

/* Endings glued after a name: particles, copulas, honorifics. Written as
 * UTF-8 and compared against the syllables after the name. */
static const char *const suffixes[] = {
    "이", "가", "은", "는", "을", "를", "의", "도", "만", "과", "와", "랑", "께", "야", "아",
    "요", "임", "씨", "님", "양", "군", "에게", "한테", "께서", "이랑", "하고", "이다", "이고",
    "이며", "인데", "이야", "이에요", "예요", "에요", "입니다", "이요", "이라고", "라고",
    "이라는", "라는", "이래", "이가", "이는", "이를", "이의", "이도", "이만", "이한테", "이에게",
    "이었", "이지", "인지", "인가", "이네", "이니", "임다", "이구", "이구요", "이고요", "이래요",
    "이랍니다", "랍니다", "이예요", "이세요", "세요", "이십니다", "십니다", "였", "이였",
    "씨가", "씨는", "씨의", "씨를", "씨한테", "씨랑", "님이", "님은", "님의", "님을", "님께",
    "님한테", "이라", "라", "이란", "란", "이랑은", "한테서", "에게서", "이고요", "이구나",
    "이냐", "냐", "이면", "면", "이래서", "이거든", "이거든요", "이라서", "라서", "이랬",
};

/* Endings that say "is" (김민수임, 박지훈이야, 김민준입니다): after a pointing
 * word or a self-introduction the name must carry one, or end the
 * sentence. */
static const char *const copulas[] = {
    "임", "이야", "야", "이에요", "예요", "입니다", "이고", "인데", "이라고", "라고", "이래",
    "이요", "이구요", "이구", "이지", "인지", "이었", "였", "이였", "임다", "이고요", "이랍니다",
    "랍니다", "이예요", "이라는", "라는", "이란", "란", "이래요", "이거든", "이거든요", "이라서",
    "이었어", "였어", "이었다", "였다", "이다", "이냐", "냐", "이니", "이네", "이구나",
};

static int copula_ok(const uint8_t *t, size_t at, size_t end)
{
    size_t len = end - at;
    for (size_t i = 0; i < sizeof copulas / sizeof copulas[0]; i++) {
        size_t sl = strlen(copulas[i]);
        if (sl == len && !memcmp(t + at, copulas[i], sl))
            return 1;
        if (sl >= 6 && sl < len && !memcmp(t + at, copulas[i], sl))
            return 1;
    }
    return 0;
}

/* Whether syllables s[0..k) spell an ending. With prefix, an ending of two
 * syllables or more may be followed by more text (김민준이라고했는데). */
static int suffix_ok(const uint8_t *t, size_t at, size_t end, int prefix)
{
    size_t len = end - at;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (sl == len && !memcmp(t + at, suffixes[i], sl))
            return 1;
        if (prefix && sl >= 6 && sl < len && !memcmp(t + at, suffixes[i], sl))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------- Korean names */

enum {
    NAME_TWO = 1,    /* two-syllable names (김준) accepted */
    NAME_SUFFIX = 2, /* an ending may follow in the same word */
    NAME_COPULA = 4, /* an ending must follow (저는 김민준입니다) */
    NAME_ALONE3 = 64, /* with COPULA: a three-syllable word of a common surname may
                         also stand alone (... 351-4237-0915-08 오수아 여기로) */
    NAME_SPACED = 8, /* the surname may stand apart (김 민준) */
};

typedef struct kname {
    size_t start, end;   /* folded span of the name */
    int per10k;          /* surname frequency */
    unsigned syl;        /* syllables in the name */
} kname_t;

#define MAX_WORD 12

/* Reads the syllables of the Hangul word starting at t[at]; returns how many
 * (at most MAX_WORD) and stores the end of the word. */
static unsigned read_word(const pvg__scan_t *sc, size_t at, size_t lim, int *s, size_t *wend)
{
    unsigned k = 0;
    size_t p = at;
    int v;
    while (k < MAX_WORD && (v = syl_at(sc->t, lim, p)) >= 0) {
        s[k++] = v;
        p += 3;
    }
    *wend = p;
    return k;
}

/* Whether syllables s[0..k) (a surname of sl syllables and its given
 * syllables) make a plausible full name. */
static int name_shape(const int *s, unsigned k, unsigned sl)
{
    unsigned g = k - sl;
    if (g < 1 || g > 2)
        return 0;
    for (unsigned i = sl; i < k; i++)
        if (!given_ok(s[i]))
            return 0;
    /* 서연이, 민준이: a given name and the familiar 이, not a full name. */
    if (g == 2 && s[k - 1] == S_I)
        return 0;
    if (in_u64(person_common, sizeof person_common / sizeof person_common[0], pack(s, k)))
        return 0;
    if (in_u64(person_titles, sizeof person_titles / sizeof person_titles[0], pack(s + sl, g)))
        return 0;
    return 1;
}

/* Whether the text ends at p or a sentence does (punctuation, a line
 * break, an emoticon), so nothing more is said about the word before. */
static int sentence_end(const pvg__scan_t *sc, size_t p)
{
    while (p < sc->n && sc->t[p] == ' ')
        p++;
    if (p >= sc->n)
        return 1;
    uint8_t c = sc->t[p];
    return c == '.' || c == '!' || c == '?' || c == '\n' || c == '~' || c == ',' ||
           c == ')' || c == '^' || c == ';';
}

/*
 * Reads a Korean full name at folded offset `at` (a word start). flags are
 * NAME_*. Returns 1 and fills *out when the word (or its beginning, followed
 * by an accepted ending) is a name.
 */
static int read_ko_name(const pvg__scan_t *sc, size_t at, size_t lim, unsigned flags,
                        kname_t *out)
{
    int s[MAX_WORD];
    size_t wend;
    unsigned k = read_word(sc, at, lim, s, &wend);
    if (k == 0)
        return 0;
    /* The word must not continue with letters or digits (김민준abc). */
    if (wend < sc->n && (is_latin(sc->t[wend]) || is_digit(sc->t[wend])))
        return 0;
    if (in_u64(person_common, sizeof person_common / sizeof person_common[0],
               pack(s, k < 4 ? k : 4)) && k <= 4)
        return 0;
    /* The surname: two syllables first (남궁민), then one. */
    for (unsigned sl = 2; sl >= 1; sl--) {
        int f = 0;
        if (sl == 2 && k >= 3)
            f = surname2(s[0], s[1]);
        else if (sl == 1)
            f = surname1(s[0]);
        if (!f)
            continue;
        /* Longer names first: 박서연이에요 is 박서연 + 이에요. */
        for (unsigned g = 2; g >= 1; g--) {
            unsigned len = sl + g;
            if (len > k)
                continue;
            if (sl == 1 && g == 1 && !(flags & NAME_TWO))
                continue;
            if (!name_shape(s, len, sl))
                continue;
            size_t nend = at + 3 * (size_t)len;
            if (sl == 1 && g == 1 && f < 20)
                continue; /* two-syllable names need a common surname */
            if (len < k) {
                if (flags & NAME_COPULA) {
                    if (!copula_ok(sc->t, nend, wend))
                        continue;
                } else if (!(flags & NAME_SUFFIX) || !suffix_ok(sc->t, nend, wend, 1)) {
                    continue;
                }
            } else if ((flags & NAME_COPULA) && !sentence_end(sc, wend) &&
                       !((flags & NAME_ALONE3) && len == 3 && sl == 1 && f >= 20)) {
                continue;
            }
            out->start = at;
            out->end = nend;
            out->per10k = f;
            out->syl = len;
            return 1;
        }
        if (sl == 1)
            break;
    }
    /* 김 민준: a surname standing apart, with a label only. */
    if ((flags & NAME_SPACED) && k == 1 && wend + 1 < sc->n && sc->t[wend] == ' ') {
        int f = surname1(s[0]);
        int gs[MAX_WORD];
        size_t gend;
        unsigned gk = f ? read_word(sc, wend + 1, lim, gs, &gend) : 0;
        for (unsigned gl = 2; gl >= 2 && gk; gl--) {
            if (gl > gk)
                continue;
            int ok = 1;
            for (unsigned i = 0; i < gl; i++)
                ok &= given_ok(gs[i]);
            if (!ok || (gl == 2 && gs[1] == S_I))
                continue;
            size_t nend = wend + 1 + 3 * (size_t)gl;
            if (gl < gk && !suffix_ok(sc->t, nend, gend, 1))
                continue;
            int all[3] = {s[0], gs[0], gl == 2 ? gs[1] : 0};
            if (in_u64(person_titles, sizeof person_titles / sizeof person_titles[0],
                       pack(gs, gl)) ||
                in_u64(person_common, sizeof person_common / sizeof person_common[0],
                       pack(all, 1 + gl)))
                continue;
            out->start = at;
            out->end = nend;
            out->per10k = f;
            out->syl = 1 + gl;
            return 1;
        }
    }
    return 0;
}

/* Whether the byte before `at` ends a word (so a name may start at at). */
static int word_start(const pvg__scan_t *sc, size_t at)
{
    if (at == 0)
        return 1;
    uint8_t c = sc->t[at - 1];
    if (is_latin(c) || is_digit(c))
        return 0;
    return syl_before(sc->t, at) < 0;
}

/* Finds the Hangul word that ends at `end`; returns its start. */
static size_t word_back(const pvg__scan_t *sc, size_t end)
{
    size_t p = end;
    while (p >= 3 && syl_before(sc->t, p) >= 0)
        p -= 3;
    return p;
}

/* The score a surname's frequency takes off. */
static float rarity(int per10k)
{
    if (per10k < 5)
        return 0.2f;
    if (per10k < 20)
        return 0.05f;
    return 0.0f;
}

static void emit_ko(pvg__scan_t *sc, const kname_t *k, float score)
{
    score -= rarity(k->per10k);
    if (k->syl == 2)
        score -= 0.1f;
    pvg__emit(sc, PVG_PERSON, k->start, k->end, score);
}

/* -------------------------------------------------------- English names */

static const char *const en_stop[] = {
    "is", "was", "am", "are", "be", "not", "the", "a", "an", "and", "or", "but", "so", "too",
    "also", "just", "very", "really", "here", "there", "this", "that", "it", "on", "in", "at",
    "of", "for", "to", "with", "by", "from", "please", "pls", "thanks", "thank", "sorry", "what",
    "why", "how", "who", "when", "where", "my", "your", "his", "her", "our", "their", "i",
    "you", "he", "she", "we", "they", "me", "him", "us", "them", "again", "already", "still",
    "now", "then", "hello", "hi", "hey", "ok", "okay", "yes", "no", "unknown", "changed",
    "spelled", "written", "listed", "missing", "wrong", "correct", "right", "same", "different",
    "fine", "good", "great", "long", "short", "weird", "funny", "cool", "nice", "off", "called",
    "name", "number", "phone", "email", "if", "as", "will", "would", "can", "could", "should",
    "did", "do", "does", "has", "have", "had", "all", "any", "some", "one", "out", "up", "down",
    "over", "only", "right", "left", "new", "old", "true", "false", "lol", "haha", "tbh", "btw",
    "sir", "madam", "there's", "it's", "i'm", "you're", "ll", "don't", "mentioned", "used",
    "pronounced", "known", "hard", "easy", "private", "secret", "stupid", "dumb", "boring",
    "common", "rare", "unique", "famous", "everywhere", "nobody", "nothing", "someone",
};

static int en_stopword(const uint8_t *w, size_t n)
{
    for (size_t i = 0; i < sizeof en_stop / sizeof en_stop[0]; i++) {
        size_t l = strlen(en_stop[i]);
        if (l != n)
            continue;
        size_t j = 0;
        while (j < n && (w[j] | 0x20) == (uint8_t)en_stop[i][j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* Reads up to max Latin words at `at`; capitalised (or all upper-case)
 * words only unless lower is set. Returns the number of words and stores
 * the span. */
static unsigned read_en_name(const pvg__scan_t *sc, size_t at, int lower, unsigned max,
                             size_t *start, size_t *end)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n, p = at;
    unsigned words = 0;
    *start = at;
    *end = at;
    while (words < max && p < n && is_latin(t[p])) {
        size_t q = p;
        while (q < n && (is_latin(t[q]) || ((t[q] == '\'' || t[q] == '-') && q + 1 < n &&
                                            is_latin(t[q + 1]) && q > p)))
            q++;
        if (q < n && (is_digit(t[q]) || t[q] == '_' || t[q] == '@' || t[q] >= 0x80))
            break; /* a handle or a word glued to Hangul */
        size_t wl = q - p;
        /* "Jane's": the name without 's. */
        if (wl > 2 && t[q - 2] == '\'' && (t[q - 1] | 0x20) == 's')
            wl -= 2;
        if (wl < 2 || en_stopword(t + p, wl))
            break;
        if (!is_upper(t[p]) && !lower)
            break;
        if (is_upper(t[p]) && lower == 2)
            lower = 0; /* once capitalised, stay capitalised */
        *end = p + wl;
        words++;
        if (q < n && t[q] == ' ' && q + 1 < n && is_latin(t[q + 1]))
            p = q + 1;
        else
            break;
    }
    return words;
}

/* ------------------------------------------------------------- the cues */

/* Whether syllable v is a particle that may stand glued to a cue. */
static int cue_particle(int v)
{
    return v == S_EUN || v == S_NEUN || v == S_I || v == S_GA || v == S_DO || v == S_RANG ||
           v == S_EUL || v == S_REUL;
}

/* Skips what stands between a label and the name: one glued particle
 * (이름은), spaces and punctuation (: = - " ' [ ( >), and English "is". Returns
 * the offset after it, or (size_t)-1 when the cue is part of a longer word
 * (성명서, 이름표). */
static size_t skip_after_cue(const pvg__scan_t *sc, size_t p, int ascii)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    int v = syl_at(t, n, p);
    if (v >= 0) {
        /* 이름은, 이름이; not 이름을 (an object: 이름을 사서) or 이름도. */
        if (v != S_EUN && v != S_NEUN && v != S_I && v != S_GA)
            return (size_t)-1;
        p += 3;
        if (syl_at(t, n, p) == S_YO)
            p += 3;
        if (syl_at(t, n, p) >= 0)
            return (size_t)-1;
    } else if (ascii && p < n && is_latin(t[p])) {
        return (size_t)-1;
    }
    size_t lim = p + 8;
    int seen_sep = 0;
    while (p < n && p < lim) {
        uint8_t c = t[p];
        if (c == ' ' || c == ':' || c == '=' || c == '-' || c == '"' || c == '\'' || c == '[' ||
            c == '(' || c == '>' || c == '|' || c == '\t' || c == '<') {
            p++;
            seen_sep = 1;
            continue;
        }
        if (ascii && seen_sep && p + 2 < n && (c | 0x20) == 'i' && (t[p + 1] | 0x20) == 's' &&
            t[p + 2] == ' ') {
            p += 3;
            continue;
        }
        break;
    }
    return p;
}

static void label_cue(pvg__scan_t *sc, const pvg__hit_t *h, int ascii, int myname)
{
    size_t p = skip_after_cue(sc, h->end, ascii);
    if (p == (size_t)-1 || p >= sc->n)
        return;
    /* English "name" must be followed by ':', '=', '-' or "is". */
    if (ascii && !myname && p == h->end)
        return;
    if (ascii && !myname) {
        int sep = 0;
        for (size_t q = h->end; q < p; q++)
            if (sc->t[q] != ' ')
                sep = 1;
        if (!sep)
            return;
    }
    kname_t k;
    if (read_ko_name(sc, p, sc->n, NAME_TWO | NAME_SUFFIX | NAME_SPACED, &k)) {
        emit_ko(sc, &k, myname ? 0.8f : 0.85f);
        return;
    }
    size_t s, e;
    if (read_en_name(sc, p, myname ? 2 : 0, 3, &s, &e))
        pvg__emit(sc, PVG_PERSON, s, e, is_upper(sc->t[s]) ? 0.85f : 0.7f);
}

static int syl_in(int v, const char *list)
{
    size_t n = strlen(list);
    for (size_t i = 0; i + 3 <= n; i += 3) {
        size_t l;
        if ((int)pvg__utf8_decode((const uint8_t *)list + i, &l) - 0xAC00 == v)
            return 1;
    }
    return 0;
}

static int after_honorific(int v)
{
    return syl_in(v, "가는은의를을이도만과와께에한랑하보처까부로요예였야아네");
}

static int makes_word(int last, int cue)
{
    if (cue == S_YANG)
        return syl_in(last, "찬태서동교영사모다휴요입분배수고부선평남북해원목산면염");
    return syl_in(last, "국해공육아적대장미의반독원진청홍백후전행구시읍하이다었겠로");
}

/* Particles a name does not end with (연돈도 사장님도, 선수도 감독님). */
static int particle_last(const kname_t *k, const uint8_t *t)
{
    int v = syl_at(t, k->end, k->end - 3);
    return syl_in(v, "도가는를을의와과랑");
}

/* 김민준 씨, 박서연님, 이준호 군; across a title: 김민준 선생님. */
static void honorific_cue(pvg__scan_t *sc, const pvg__hit_t *h)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    size_t cs = h->start, ce = h->end;
    int cue = syl_at(t, n, cs);
    int next = syl_at(t, n, ce);
    /* What may stand glued after 씨 or 님: particles and endings
     * (씨가, 님께서, 씨예요), not the rest of a word (씨앗, 씨름, 씨씨티비,
     * 씨네21). 님들 is "you all". */
    if ((cue == S_SSI || cue == S_NIM) && next >= 0 && !after_honorific(next))
        return;
    if (cue == S_SSI && next == S_YA && syl_at(t, n, ce + 3) >= 0)
        return; /* 씨야 (a group's name) */
    int spaced = cs > 0 && t[cs - 1] == ' ';
    if (cue == S_YANG || cue == S_GUN) {
        /* 양파, 군대, "엄청난 양 주고": 양 and 군 must be glued to the name
         * or be followed by a particle or the end of a phrase. */
        if (next >= 0 && !cue_particle(next) && next != S_UI && next != SYL(0xC5D0) &&
            next != SYL(0xD55C))
            return;
        if (spaced && next < 0 && !sentence_end(sc, ce))
            return;
    }
    size_t end = cs;
    if (spaced)
        end--;
    size_t ws = word_back(sc, end);
    if (ws == end || !word_start(sc, ws))
        return;
    int s[MAX_WORD];
    size_t wend;
    unsigned k = (unsigned)((end - ws) / 3);
    if (k > MAX_WORD)
        return;
    read_word(sc, ws, end, s, &wend);
    /* A title between the name and 님: 김민준 선생님, 이서연 대리님. */
    if (k == 2 && end == cs &&
        in_u64(person_titles, sizeof person_titles / sizeof person_titles[0], pack(s, 2)) &&
        ws > 1 && t[ws - 1] == ' ') {
        size_t ne = ws - 1, ns = word_back(sc, ne);
        kname_t kn;
        if (ns < ne && word_start(sc, ns) && read_ko_name(sc, ns, ne, 0, &kn) &&
            !particle_last(&kn, t))
            emit_ko(sc, &kn, 0.65f);
        return;
    }
    /* 현빈형님, 공유형님: 형 + 님 is "big brother", after a given name. */
    if (cue == S_NIM && end == cs && s[k - 1] == S_HYEONG)
        return;
    /* 찬양, 태양, 국군, 장군, 지루하군: the last syllable and the cue make a
     * word or an ending. */
    if (end == cs && (cue == S_YANG || cue == S_GUN) && makes_word(s[k - 1], cue))
        return;
    if (end == cs && cue == S_YANG && next == S_DO)
        return; /* 양도 */
    /* 정상아님, 지각아님: "아님" is "isn't", after a common word. */
    if (end == cs && cue == S_NIM && k >= 3 && s[k - 1] == SYL(0xC544) &&
        in_u64(person_common, sizeof person_common / sizeof person_common[0], pack(s, k - 1)))
        return;
    kname_t kn;
    if (read_ko_name(sc, ws, end, 0, &kn))
        emit_ko(sc, &kn, 0.65f);
}

/* 이 사람 김민수임, 얘 박지훈이야; 저는 김민준입니다. */
static void pointing_cue(pvg__scan_t *sc, const pvg__hit_t *h, int self)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    if (!word_start(sc, h->start))
        return;
    size_t p = h->end;
    int v = syl_at(t, n, p);
    if (v >= 0) {
        if (self || !cue_particle(v))
            return; /* 얘기, 걔네 */
        p += 3;
        if (syl_at(t, n, p) >= 0)
            return;
    }
    if (p >= n || t[p] != ' ')
        return;
    while (p < n && t[p] == ' ')
        p++;
    kname_t k;
    if (read_ko_name(sc, p, sc->n, NAME_COPULA, &k))
        emit_ko(sc, &k, self ? 0.6f : 0.65f);
}

/* Mr. Kim, Dr Jane Foster, Ms. Park Jiwoo. */
static void title_cue(pvg__scan_t *sc, const pvg__hit_t *h)
{
    const uint8_t *t = sc->t;
    size_t p = h->end;
    if (!is_upper(t[h->start]))
        return; /* "ms" after a number is milliseconds */
    if (p < sc->n && t[p] == '.')
        p++;
    if (p >= sc->n || t[p] != ' ')
        return;
    p++;
    size_t s, e;
    if (read_en_name(sc, p, 0, 2, &s, &e))
        pvg__emit(sc, PVG_PERSON, s, e, 0.7f);
}

/* "this is Daniel Miller", "I'm Grace Wilson": only a capitalised first and
 * last name (two or three words), so "this is Great" stays out. */
static void intro_cue(pvg__scan_t *sc, const pvg__hit_t *h)
{
    size_t p = h->end;
    if (p >= sc->n || sc->t[p] != ' ')
        return;
    size_t s, e;
    if (read_en_name(sc, p + 1, 0, 3, &s, &e) >= 2)
        pvg__emit(sc, PVG_PERSON, s, e, 0.7f);
}

/* ------------------------------------------------------------ adjacency */

/* Words that may stand between a name and its value: 김민준 번호 010-... */
static const char *const field_words[] = {
    "번호", "폰", "전화", "연락처", "핸드폰", "휴대폰", "전번", "폰번호", "전화번호", "계좌",
    "계좌번호", "주소", "메일", "이메일", "생일", "생년월일", "주민번호", "주민등록번호",
    "면허", "면허번호", "여권", "여권번호", "외국인등록번호", "카드", "카드번호",
};

static int field_word(const uint8_t *t, size_t s, size_t e)
{
    for (size_t i = 0; i < sizeof field_words / sizeof field_words[0]; i++) {
        size_t l = strlen(field_words[i]);
        if (e - s >= l && e - s <= l + 6 && !memcmp(t + s, field_words[i], l))
            return 1;
    }
    return 0;
}

/* A name right before or after another finding: 김민준 010-1234-5678,
 * 국민 123456-01-123456 박서연. */
static void adjacent(pvg__scan_t *sc, const pvg__cand_t *c)
{
    const uint8_t *t = sc->t;
    size_t n = sc->n;
    /* Before: skip separators back to a word. */
    size_t p = c->start, lim = c->start > 4 ? c->start - 4 : 0;
    while (p > lim && (t[p - 1] == ' ' || t[p - 1] == ':' || t[p - 1] == ',' ||
                       t[p - 1] == '/' || t[p - 1] == '(' || t[p - 1] == '\n' ||
                       t[p - 1] == '\r' || t[p - 1] == '|' || t[p - 1] == '-'))
        p--;
    for (int hop = 0; hop < 2 && p < c->start; hop++) {
        size_t ws = word_back(sc, p);
        if (ws == p || !word_start(sc, ws))
            break;
        kname_t k;
        if (read_ko_name(sc, ws, p, NAME_SUFFIX, &k)) {
            if (!particle_last(&k, t))
                emit_ko(sc, &k, 0.6f);
            break;
        }
        if (hop || !field_word(t, ws, p) || ws < 1 || t[ws - 1] != ' ')
            break;
        p = ws - 1;
    }
    /* After. */
    p = c->end;
    size_t lim2 = c->end + 4 < n ? c->end + 4 : n;
    while (p < lim2 && (t[p] == ' ' || t[p] == ',' || t[p] == '/' || t[p] == ')' ||
                        t[p] == ':' || t[p] == '(' || t[p] == '\n' || t[p] == '\r' ||
                        t[p] == '|'))
        p++;
    if (p > c->end && p < n) {
        kname_t k;
        /* After the value the name ends the sentence or carries "is"
         * (... 110-234-567890 김민준, ... 박서연입니다): "여기로" is no name. */
        if (read_ko_name(sc, p, n, NAME_COPULA | NAME_ALONE3, &k) && !particle_last(&k, t))
            emit_ko(sc, &k, 0.6f);
    }
}

/* ---------------------------------------------------------------- detect */

void pvg__detect_person(pvg__scan_t *sc)
{
    const pvg_engine_t *e = sc->e;
    if (!e->det[PVG_PERSON].enabled)
        return;
    pvg_scratch_t *s = sc->s;
    size_t ncand = s->n_cands;
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__hit_t *h = &s->hits[i];
        const pvg__word_t *w = &e->words[h->word];
        if (w->type != PVG_PERSON)
            continue;
        if (w->polarity > 0) {
            if (w->side == PVG__SIDE_AFTER)
                honorific_cue(sc, h);
            else
                label_cue(sc, h, w->ascii, 0);
        } else if (w->polarity == 0) {
            switch (w->extra) {
            case CUE_DEMO: pointing_cue(sc, h, 0); break;
            case CUE_SELF: pointing_cue(sc, h, 1); break;
            case CUE_EN_MYNAME: label_cue(sc, h, 1, 1); break;
            case CUE_EN_TITLE: title_cue(sc, h); break;
            case CUE_EN_INTRO: intro_cue(sc, h); break;
            default: break;
            }
        }
    }
    /* Adjacency: the other families have run (this one is registered
     * last); look next to their reportable candidates. */
    for (size_t i = 0; i < ncand; i++) {
        const pvg__cand_t *c = &s->cands[i];
        if (c->type >= PVG_ENTITY_COUNT || c->type == PVG_PERSON || c->type == PVG_URL ||
            c->type == PVG_IP_ADDRESS || c->score < e->det[c->type].threshold)
            continue;
        adjacent(sc, c);
    }
}
