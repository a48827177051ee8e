/* SPDX-License-Identifier: MIT */
/*
 * policy.c -- turns a scanned message into violations of the nine
 * categories, with readable reasons and an action.
 *
 * Inputs: the findings, the hits of the one Vectorscan pass (policy rules'
 * phrases and regexes, cue words, protected names), the message's context
 * (surface, sender's display name, attachments) and URL analysis. For each
 * text category the score is a noisy-OR of the weights of the rules and
 * signals that matched (1 - prod(1 - w)), after the category's
 * requirements hold; pii_exposure has its own logic (surface, attribution
 * and identifiers, DETECTION.md). A violation at or above its threshold is
 * reported; a category in shadow mode is reported with "shadow": true and
 * never sets the action. Hits are counted per rule, atomically.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "policy/policy.h"
#include "policy/urlsig.h"

/* Whether category c could fire with only context signals (the sender's
 * display name and the surface): then no message may skip the policy. */
static int fires_on_context(const pvg__pcat_t *c)
{
    const uint32_t ctx = (1u << PVG__SIG_SENDER_LOOKALIKE) | (1u << PVG__SIG_OPEN_SURFACE) |
                         (1u << PVG__SIG_SENDER_OFFICIAL);
    if (!c->enabled || !(c->signal_mask & ctx))
        return 0;
    for (int g = 0; g < c->n_req; g++) {
        int ok = 0;
        for (int k = 0; k < c->req[g].n; k++)
            if (c->req[g].member[k] >= 0 && ((1u << c->req[g].member[k]) & ctx))
                ok = 1;
        if (!ok)
            return 0;
    }
    return 1;
}

int pvg__policy_finish(pvg__policy_t *p)
{
    if (pvg__urlsig_compile(p))
        return -1;
    for (int c = 0; c < PVG__CAT_COUNT; c++) {
        p->cat[c].signal_mask = 0;
        for (int sg = 0; sg < PVG__SIG_COUNT; sg++)
            if (p->cat[c].signal_weight[sg] > 0)
                p->cat[c].signal_mask |= 1u << sg;
    }
    p->context_only = 0;
    for (int c = 1; c < PVG__CAT_AUTH_KEY; c++)
        p->context_only |= fires_on_context(&p->cat[c]);
    if (p->n_rules) {
        p->hits = calloc(p->n_rules, sizeof *p->hits);
        if (!p->hits)
            return -1;
    }
    return 0;
}

PVG_API size_t pvg_engine_rule_count(const pvg_engine_t *e)
{
    return e && e->magic == PVG__ENGINE_MAGIC ? e->policy.n_rules + PVG__CAT_COUNT : 0;
}

/* Rules 0..n_rules-1 are the file's rules; then one per category for the
 * category's own logic (e.g. "pii_exposure"). */
PVG_API pvg_error_t pvg_engine_rule_info(const pvg_engine_t *e, size_t i, const char **id,
                                         const char **category, int *shadow, uint64_t *hits)
{
    if (!e || e->magic != PVG__ENGINE_MAGIC || i >= pvg_engine_rule_count(e))
        return PVG_EINVAL;
    const pvg__policy_t *p = &e->policy;
    if (i < p->n_rules) {
        const pvg__prule_t *r = &p->rules[i];
        if (id)
            *id = r->id;
        if (category)
            *category = pvg__category_name(r->category);
        if (shadow)
            *shadow = r->shadow || p->cat[r->category].shadow;
        if (hits)
            *hits = __atomic_load_n(&p->hits[i], __ATOMIC_RELAXED);
    } else {
        int c = (int)(i - p->n_rules);
        if (id)
            *id = pvg__category_name(c);
        if (category)
            *category = pvg__category_name(c);
        if (shadow)
            *shadow = p->cat[c].shadow;
        if (hits)
            *hits = __atomic_load_n(&p->cat[c].rule_hits, __ATOMIC_RELAXED);
    }
    return PVG_OK;
}

/* ------------------------------------------------------------- reasons */

const char *pvg__reason(pvg_scratch_t *s, const char *fmt, ...)
{
    size_t room = sizeof s->reason_buf - s->reason_used;
    if (room < 8)
        return "...";
    char *at = s->reason_buf + s->reason_used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return "...";
    s->reason_used += (size_t)n < room ? (size_t)n + 1 : room;
    return at;
}


typedef struct viol_builder {
    pvg_scratch_t *s;
    pvg_violation_t *v;
    const char **reasons;
    size_t n;
} viol_builder_t;

static void vb_reason(viol_builder_t *b, const char *r)
{
    if (b->n < PVG__MAX_REASONS) {
        for (size_t i = 0; i < b->n; i++)
            if (!strcmp(b->reasons[i], r))
                return;
        b->reasons[b->n++] = r;
    }
}

/* ---------------------------------------------------------- the message */

typedef struct ctx {
    const pvg_engine_t *e;
    const pvg__policy_t *p;
    pvg_scratch_t *s;
    const pvg_message_t *m;
    pvg_result_t *out;
    int sig[PVG__SIG_COUNT];
    const char *sig_reason[PVG__SIG_COUNT];
    uint8_t cue[PVG__CUE_COUNT];
    uint8_t cat_rule_hit[PVG__CAT_COUNT]; /* a rule of the category matched */
    uint32_t sigmask;                      /* bit per active signal */
} ctx_t;


/* The file extension of a name or path ("apk"), lowercased into out. */
static void extension(const char *s, size_t n, char *out, size_t cap)
{
    out[0] = 0;
    size_t end = n;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '?' || s[i] == '#') {
            end = i;
            break;
        }
    size_t dot = end;
    while (dot > 0 && s[dot - 1] != '.' && s[dot - 1] != '/')
        dot--;
    if (dot == 0 || s[dot - 1] != '.' || end - dot >= cap)
        return;
    for (size_t i = dot; i < end; i++)
        out[i - dot] = (char)tolower((unsigned char)s[i]);
    out[end - dot] = 0;
}

/* The scratch's look-alike cache, cleared when the engine changed (its
 * answers depend on the engine's lists). NULL (no caching) when it cannot
 * be allocated. */
static pvg__lookalike_cache_t *la_cache(ctx_t *c)
{
    pvg_scratch_t *s = c->s;
    if (!s->la_cache && pvg__lookalike_cache_alloc((pvg__lookalike_cache_t **)&s->la_cache))
        return NULL;
    if (s->la_engine != c->e) {
        pvg__lookalike_cache_clear(s->la_cache);
        s->la_engine = c->e;
    }
    return s->la_cache;
}

static void url_signals(ctx_t *c, const char *u, size_t n)
{
    pvg__urlsig_t us;
    if (pvg__urlsig(c->p, la_cache(c), u, n, &us))
        return;
    c->sig[PVG__SIG_URL] = 1;
    if (us.is_ip) {
        c->sig[PVG__SIG_URL_IP] = 1;
        c->sig_reason[PVG__SIG_URL_IP] = "link to a bare IP address";
    }
    if (us.userinfo) {
        c->sig[PVG__SIG_URL_USERINFO] = 1;
        c->sig_reason[PVG__SIG_URL_USERINFO] =
            pvg__reason(c->s, "link hides its host behind user@ (%s)", us.host);
    }
    if (us.punycode) {
        c->sig[PVG__SIG_URL_PUNYCODE] = 1;
        c->sig_reason[PVG__SIG_URL_PUNYCODE] = pvg__reason(c->s, "internationalised domain %s", us.host);
    }
    if (us.shortener) {
        c->sig[PVG__SIG_URL_SHORTENER] = 1;
        c->sig_reason[PVG__SIG_URL_SHORTENER] = pvg__reason(c->s, "URL shortener %s", us.registrable);
    }
    if (us.form) {
        c->sig[PVG__SIG_FORM_LINK] = 1;
        c->sig_reason[PVG__SIG_FORM_LINK] = pvg__reason(c->s, "form link %s", us.host);
    }
    if (us.official) {
        c->sig[PVG__SIG_URL_OFFICIAL] |= 2; /* seen an official one */
    } else {
        c->sig[PVG__SIG_URL_OFFICIAL] |= 4; /* seen another */
        c->sig[PVG__SIG_URL_UNOFFICIAL] = 1;
        if (!c->sig_reason[PVG__SIG_URL_UNOFFICIAL])
            c->sig_reason[PVG__SIG_URL_UNOFFICIAL] =
                pvg__reason(c->s, "link to %s, not an official domain", us.registrable);
    }
    if (us.lookalike_of) {
        c->sig[PVG__SIG_URL_LOOKALIKE] = 1;
        c->sig_reason[PVG__SIG_URL_LOOKALIKE] =
            pvg__reason(c->s, "domain %s looks like %s", us.registrable, us.lookalike_of);
    }
    if (us.ext[0] && pvg__strlist_has(&c->p->risky_ext, us.ext)) {
        c->sig[PVG__SIG_RISKY_FILE] = 1;
        c->sig_reason[PVG__SIG_RISKY_FILE] = pvg__reason(c->s, "link to a .%s file", us.ext);
    }
}

static void attachment_signals(ctx_t *c)
{
    if (c->m->n_attachments) {
        c->sig[PVG__SIG_ATTACHMENT] = 1;
        c->sig_reason[PVG__SIG_ATTACHMENT] = "a file is attached";
    }
    for (size_t i = 0; i < c->m->n_attachments; i++) {
        const pvg_attachment_t *a = &c->m->attachments[i];
        char ext[16];
        if (a->name) {
            extension(a->name, a->name_len, ext, sizeof ext);
            if (ext[0] && pvg__strlist_has(&c->p->risky_ext, ext)) {
                c->sig[PVG__SIG_RISKY_FILE] = 1;
                c->sig_reason[PVG__SIG_RISKY_FILE] =
                    pvg__reason(c->s, "attached .%s file", ext);
            }
        }
        if (a->mime && a->mime_len == 37 &&
            !strncasecmp(a->mime, "application/vnd.android.package-archive", 37)) {
            c->sig[PVG__SIG_RISKY_FILE] = 1;
            c->sig_reason[PVG__SIG_RISKY_FILE] = "attached Android app";
        }
        if (a->url)
            url_signals(c, a->url, a->url_len);
    }
}

/* Lowercases ASCII of a display name into out (NUL-terminated). */
static size_t lower_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = (char)tolower((unsigned char)s[i]);
    out[o] = 0;
    return o;
}

/* Whether the sender's display name is, or imitates, a protected name, or
 * claims an organisation (국민건강보험공단, OO캐피탈 고객센터). Display names
 * repeat from message to message: the answers are cached per scratch. */
static void sender_signal(ctx_t *c)
{
    const pvg_message_t *m = c->m;
    if (!m->sender_name || !m->sender_name_len || m->sender_name_len > 200)
        return;
    pvg_scratch_t *s = c->s;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < m->sender_name_len; i++)
        h = (h ^ (unsigned char)m->sender_name[i]) * 1099511628211ull;
    pvg__sender_memo_t *memo = &s->sender_memo[h % PVG__SENDER_MEMO];
    if (memo->hash != h || !memo->valid || memo->engine_id != c->e->id) {
        memo->hash = h;
        memo->engine_id = c->e->id;
        memo->valid = 1;
        memo->protected_name = pvg__urlsig_name(c->p, la_cache(c), m->sender_name,
                                                m->sender_name_len);
        memo->org = NULL;
        char low[256];
        size_t ln = lower_name(m->sender_name, m->sender_name_len, low, sizeof low);
        for (size_t i = 0; i < c->p->org_words.n && !memo->org; i++) {
            const char *w = c->p->org_words.s[i];
            if (memmem(low, ln, w, strlen(w)))
                memo->org = w;
        }
    }
    if (memo->protected_name) {
        c->sig[PVG__SIG_SENDER_LOOKALIKE] = 1;
        c->sig_reason[PVG__SIG_SENDER_LOOKALIKE] =
            pvg__reason(c->s, "sender name looks like %s", memo->protected_name);
    }
    if (memo->org) {
        c->sig[PVG__SIG_SENDER_OFFICIAL] = 1;
        c->sig_reason[PVG__SIG_SENDER_OFFICIAL] =
            pvg__reason(c->s, "sender name claims an organisation (%s)", memo->org);
    }
}

/* ----------------------------------------------------------- exposure */

static int is_direct_id(int type)
{
    return type == PVG_KR_RRN || type == PVG_KR_FRN || type == PVG_KR_PASSPORT ||
           type == PVG_KR_DRIVER_LICENSE || type == PVG_CREDIT_CARD;
}

/* A self cue ("제 번호", "내 주소", "my number") ending shortly before the
 * finding, in folded offsets. */
static int self_cued(const ctx_t *c, size_t fold_start)
{
    const pvg_scratch_t *s = c->s;
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__hit_t *h = &s->hits[i];
        const pvg__word_t *w = &c->e->words[h->word];
        if (w->type == PVG__T_CUE + PVG__CUE_SELF && h->end <= fold_start &&
            fold_start - h->end <= 30)
            return 1;
    }
    return 0;
}

/* Whether a PERSON finding names someone other than the sender. */
static int other_name(const ctx_t *c, const pvg_finding_t *f)
{
    const pvg_message_t *m = c->m;
    if (!m->sender_name || !m->sender_name_len)
        return 1;
    size_t n = f->end - f->start;
    const char *name = m->text + f->start;
    for (size_t i = 0; i + n <= m->sender_name_len; i++)
        if (!memcmp(m->sender_name + i, name, n))
            return 0;
    return 1;
}

static float exposure(ctx_t *c, viol_builder_t *b)
{
    const pvg_result_t *out = c->out;
    int surface = c->m->surface;
    if (surface == PVG_SURFACE_DIRECT)
        return 0;
    int any = 0, direct = 0, all_self = 1, other = 0;
    float best = 0;
    for (size_t i = 0; i < out->n_findings; i++) {
        const pvg_finding_t *f = &out->findings[i];
        if (f->cls == PVG_CLASS_SIGNAL)
            continue;
        any = 1;
        if (f->score > best)
            best = f->score;
        if (is_direct_id((int)f->type))
            direct = 1;
        if (!self_cued(c, c->s->finding_fold_start[i]))
            all_self = 0;
        if (f->type == PVG_PERSON && other_name(c, f))
            other = 1;
    }
    if (!any)
        return 0;
    int third = c->cue[PVG__CUE_THIRD] || other;
    int doxx = c->cue[PVG__CUE_DOXXING];
    float score = 0;
    int open = surface != PVG_SURFACE_GROUP;
    if (open && direct) {
        score = 0.9f;
        vb_reason(b, "direct_identifier");
    }
    if (!all_self || third) {
        if (surface == PVG_SURFACE_GROUP) {
            if (doxx && (third || !all_self)) {
                score = score > 0.8f ? score : 0.8f;
                vb_reason(b, "doxxing_cue");
                if (third)
                    vb_reason(b, "third_party");
            }
        } else if (third || doxx) {
            score = score > 0.85f ? score : 0.85f;
            vb_reason(b, third ? "third_party" : "doxxing_cue");
            if (third && doxx)
                vb_reason(b, "doxxing_cue");
        }
    }
    if (score <= 0)
        return 0;
    if (out->identifies)
        score += 0.05f;
    for (size_t i = 0; i < out->n_findings; i++)
        if (out->findings[i].cls != PVG_CLASS_SIGNAL)
            vb_reason(b, pvg_entity_name((int)out->findings[i].type));
    score *= 0.6f + 0.4f * best;
    return score > 1 ? 1 : score;
}

/* ------------------------------------------------------------ the rest */

/* A rule matched when each of its word groups did. */
static int rule_matched(const ctx_t *c, size_t r)
{
    unsigned want = (1u << c->p->rules[r].groups) - 1;
    return c->s->rule_hit[r] == want; /* a veto word sets bit 7, which no rule wants */
}

static int member_ok(const ctx_t *c, int member)
{
    if (member >= 0)
        return member < PVG__SIG_COUNT && c->sig[member];
    size_t r = (size_t)(-member - 1);
    return r < c->p->n_rules && rule_matched(c, r);
}

static float category(ctx_t *c, int cat, viol_builder_t *b)
{
    const pvg__pcat_t *pc = &c->p->cat[cat];
    /* Most messages match nothing: nothing to weigh. */
    if (!c->cat_rule_hit[cat] && !(c->sigmask & pc->signal_mask))
        return 0;
    for (int k = 0; k < pc->unless.n; k++)
        if (member_ok(c, pc->unless.member[k]))
            return 0;
    for (int g = 0; g < pc->n_req; g++) {
        int ok = 0;
        for (int k = 0; k < pc->req[g].n && !ok; k++)
            ok = member_ok(c, pc->req[g].member[k]);
        if (!ok)
            return 0;
    }
    double keep = 1.0;
    int any = 0;
    for (size_t r = 0; r < c->p->n_rules; r++) {
        const pvg__prule_t *rule = &c->p->rules[r];
        if (rule->category != cat || !rule_matched(c, r) || rule->shadow)
            continue;
        keep *= 1.0 - rule->weight;
        any = 1;
        vb_reason(b, pvg__reason(c->s, "rule %s", rule->id));
    }
    for (int sg = 0; sg < PVG__SIG_COUNT; sg++) {
        if (!c->sig[sg] || pc->signal_weight[sg] <= 0)
            continue;
        keep *= 1.0 - pc->signal_weight[sg];
        any = 1;
        vb_reason(b, c->sig_reason[sg] ? c->sig_reason[sg] : pvg__signal_name(sg));
    }
    return any ? (float)(1.0 - keep) : 0;
}

void pvg__policy_eval(const pvg_engine_t *e, pvg_scratch_t *s, const pvg_message_t *m,
                      pvg_result_t *out)
{
    const pvg__policy_t *p = &e->policy;
    ctx_t c = {.e = e, .p = p, .s = s, .m = m, .out = out};
    s->reason_used = 0;
    s->n_violations = 0;
    /* Rule and cue hits of this message. */
    size_t nr = p->n_rules < PVG__MAX_RULES ? p->n_rules : PVG__MAX_RULES;
    if (nr)
        memset(s->rule_hit, 0, nr);
    for (size_t i = 0; i < s->n_hits; i++) {
        const pvg__word_t *w = &e->words[s->hits[i].word];
        if (s->hits[i].end <= s->prev_len)
            continue; /* in the previous message's tail */
        if (w->type == PVG__T_RULE && w->extra < nr) {
            s->rule_hit[w->extra] |= (uint8_t)(1u << (w->polarity & 7));
            c.cat_rule_hit[p->rules[w->extra].category] = 1;
        }
        else if (w->type >= PVG__T_CUE && w->type < PVG__T_CUE + PVG__CUE_COUNT)
            c.cue[w->type - PVG__T_CUE] = 1;
    }
    int any_rule = 0, any_cue = 0;
    for (int k = 0; k < PVG__CAT_COUNT; k++)
        any_rule |= c.cat_rule_hit[k];
    for (int k = 0; k < PVG__CUE_COUNT; k++)
        any_cue |= c.cue[k];
    /* Most messages: no phrase, no cue, no finding, no file. Nothing can
     * fire unless a category lives on the sender's name and surface. */
    if (!any_rule && !any_cue && !out->n_findings && !m->n_attachments && !p->context_only) {
        out->violations = s->violations;
        out->n_violations = 0;
        out->action = PVG_ACTION_ALLOW;
        return;
    }
    for (size_t r = 0; any_rule && r < nr; r++)
        if (s->rule_hit[r] && rule_matched(&c, r))
            __atomic_add_fetch(&((pvg__policy_t *)p)->hits[r], 1, __ATOMIC_RELAXED);
    /* Signals. */
    for (size_t i = 0; i < out->n_findings; i++) {
        const pvg_finding_t *f = &out->findings[i];
        if (f->type == PVG_URL) /* the folded, defanged form: hxxp, [.] undone */
            url_signals(&c, (const char *)s->fold + s->finding_fold_start[i],
                        s->finding_fold_end[i] - s->finding_fold_start[i]);
        else if (f->cls != PVG_CLASS_SIGNAL)
            c.sig[PVG__SIG_PII_FINDING] = 1;
    }
    attachment_signals(&c);
    c.sig[PVG__SIG_URL_OFFICIAL] = c.sig[PVG__SIG_URL_OFFICIAL] == 2;
    if (c.sig[PVG__SIG_URL_OFFICIAL])
        c.sig_reason[PVG__SIG_URL_OFFICIAL] = "every link is on an official domain";
    sender_signal(&c);
    if (c.cue[PVG__CUE_PROTECTED]) {
        c.sig[PVG__SIG_CLAIMS_PROTECTED] = 1;
        c.sig_reason[PVG__SIG_CLAIMS_PROTECTED] = "names a protected organisation";
    }
    if (c.cue[PVG__CUE_RISKY_EXT]) {
        c.sig[PVG__SIG_RISKY_FILE] = 1;
        if (!c.sig_reason[PVG__SIG_RISKY_FILE])
            c.sig_reason[PVG__SIG_RISKY_FILE] = "names a file that installs or runs code";
    }
    if (c.cue[PVG__CUE_REQUEST] && c.cue[PVG__CUE_PII_NOUN]) {
        c.sig[PVG__SIG_PII_REQUEST] = 1;
        c.sig_reason[PVG__SIG_PII_REQUEST] = "asks for personal information or codes";
    }
    c.sig[PVG__SIG_OPEN_SURFACE] = m->surface >= PVG_SURFACE_OPEN_CHAT;
    for (int sg = 0; sg < PVG__SIG_COUNT; sg++)
        if (c.sig[sg])
            c.sigmask |= 1u << sg;
    /* Categories. */
    int action = PVG_ACTION_ALLOW;
    for (int cat = 0; cat < PVG__CAT_AUTH_KEY; cat++) {
        const pvg__pcat_t *pc = &p->cat[cat];
        if (!pc->enabled)
            continue;
        pvg_violation_t *v = &s->violations[s->n_violations];
        viol_builder_t b = {s, v, s->reasons[s->n_violations], 0};
        float score = cat == PVG__CAT_PII_EXPOSURE ? exposure(&c, &b) : category(&c, cat, &b);
        /* Talking about abuse (신고했어요, 조심하세요, 뉴스) is not doing it. */
        if (score > 0 && c.cue[PVG__CUE_DISCUSSION] && pc->discussion < 1) {
            score *= pc->discussion;
            vb_reason(&b, "discussion_cue");
        }
        float th = pc->threshold >= 0 ? pc->threshold : p->threshold;
        if (score < th || score <= 0)
            continue;
        __atomic_add_fetch(&((pvg__policy_t *)p)->cat[cat].rule_hits, 1, __ATOMIC_RELAXED);
        v->category = pvg__category_name(cat);
        v->score = score;
        v->reasons = s->reasons[s->n_violations];
        v->n_reasons = b.n;
        v->action = pc->action[m->surface];
        v->shadow = pc->shadow;
        if (!v->shadow && v->action > action)
            action = v->action;
        s->n_violations++;
    }
    out->violations = s->violations;
    out->n_violations = s->n_violations;
    out->action = action;
}
