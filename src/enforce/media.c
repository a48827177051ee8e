/* SPDX-License-Identifier: MIT */
/*
 * media.c -- media evidence and the hash bank of private media.
 *
 * A report or a rights notice may carry photos and videos. Their bytes are
 * sealed like message evidence (XChaCha20-Poly1305 under the current
 * evidence key, key id stored next to the ciphertext, the row identity
 * "evidence-media:<id>" as associated data) and their PDQ hashes, computed
 * by the caller with libpvg_media, go to evidence_media_hashes. Nothing
 * here decodes media: the enforcement core does not link libav or the
 * image decoders.
 *
 * The bank (media_bank_entries) gets entries from three places, each in
 * the transaction of the step that causes it: a decision with
 * private_media (the hashes of the media of the reports it closes, into
 * confirmed_private_media, source = the case), a blinded rights notice
 * (its media's hashes into reported_pending, source = the notice; resolved
 * as restored or withdrawn, those entries are disabled again), and an
 * operator (pvg_media_bank_add). A hash already enabled in the bank is not
 * added twice. Every change takes the next media revision, and an outbox
 * event "media_bank.changed" tells other processes to catch up; the
 * service's in-memory index follows the revisions (pvg_media_bank_changes).
 *
 * Audit entries and outbox payloads carry ids and counts only, never
 * hashes of evidence or bytes.
 */
#include "enforce/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDQ_BYTES 32

static int one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

static int valid_bank(const char *b)
{
    if (!b || !*b || strlen(b) > 64)
        return 0;
    for (const char *p = b; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              *p == '.'))
            return 0;
    return 1;
}

static void to_hex(const uint8_t *p, char hex[2 * PDQ_BYTES + 1])
{
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < PDQ_BYTES; i++) {
        hex[2 * i] = d[p[i] >> 4];
        hex[2 * i + 1] = d[p[i] & 15];
    }
    hex[2 * PDQ_BYTES] = 0;
}

int pvg__media_validate(const pvg_media_in_t *m, size_t n)
{
    static const char *const kinds[] = {"image", "video", "hash", NULL};
    if (n > PVG_MAX_MEDIA || (n && !m))
        return PVG_ENF_EINVAL;
    for (size_t i = 0; i < n; i++) {
        const pvg_media_in_t *x = &m[i];
        if (!one_of(x->kind, kinds) || !x->pdq || x->n_pdq < 1 ||
            x->n_pdq > PVG_MAX_MEDIA_HASHES || x->len > PVG_MAX_MEDIA_BYTES ||
            (x->content_type && (!pvg__valid_id(x->content_type) ||
                                 strlen(x->content_type) > 100)))
            return PVG_ENF_EINVAL;
        int hash_only = !strcmp(x->kind, "hash");
        if (hash_only ? (x->data || x->len) : (!x->data || !x->len))
            return PVG_ENF_EINVAL;
        if (!strcmp(x->kind, "image") && x->n_pdq != 1)
            return PVG_ENF_EINVAL;
        for (size_t k = 0; x->quality && k < x->n_pdq; k++)
            if (x->quality[k] < -1 || x->quality[k] > 100)
                return PVG_ENF_EINVAL;
        for (size_t k = 0; x->t && k < x->n_pdq; k++)
            if (!(x->t[k] >= 0 && x->t[k] < 1e7))
                return PVG_ENF_EINVAL;
    }
    return PVG_ENF_OK;
}

int pvg__media_store(pvg_enforce_t *e, pvg_store_t *s, int64_t report_id, int64_t notice_id,
                     const pvg_media_in_t *m, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        const pvg_media_in_t *x = &m[i];
        int64_t mid = 0;
        int rc = pvg_store_x_int(s, &mid,
                                 "INSERT INTO evidence_media (report_id, notice_id, ord, kind,"
                                 " content_type, size, created_at, retain_until)"
                                 " VALUES (NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, ?, ?)"
                                 " RETURNING id",
                                 "iiittiii", report_id, notice_id, (int64_t)i, x->kind,
                                 x->content_type, (int64_t)x->len, now,
                                 now + (int64_t)e->o.retention_days * DAY_MS);
        if (rc != PVG_STORE_ROW)
            return rc < 0 ? rc : PVG_ENF_ESTORE;
        if (x->len) {
            char ad[64];
            snprintf(ad, sizeof ad, "evidence-media:%" PRId64, mid);
            rc = pvg__store_sealed(e, s,
                                   "UPDATE evidence_media SET kid = ?, nonce = ?, ciphertext = ?"
                                   " WHERE id = ?",
                                   ad, x->data, x->len, mid);
            if (rc)
                return rc;
        }
        for (size_t k = 0; k < x->n_pdq; k++) {
            int64_t r = pvg_store_x(s,
                                    "INSERT INTO evidence_media_hashes (media_id, ord, pdq,"
                                    " quality, t_ms) VALUES (?, ?, ?, ?, ?)",
                                    "iibii", mid, (int64_t)k,
                                    (const void *)(x->pdq + k * PDQ_BYTES), (size_t)PDQ_BYTES,
                                    (int64_t)(x->quality ? x->quality[k] : -1),
                                    x->t ? (int64_t)(x->t[k] * 1000.0) : (int64_t)0);
            if (r < 0)
                return (int)r;
        }
    }
    return PVG_ENF_OK;
}

/* ---------------------------------------------------------------- bank */

static int bank_changed_event(pvg_enforce_t *e, pvg_store_t *s)
{
    int64_t rev = 0;
    int rc = pvg_store_x_int(s, &rev, "SELECT value FROM counters WHERE name = 'media_rev'", "");
    if (rc < 0)
        return rc;
    return pvg__outbox(e, s, "media_bank.changed", NULL,
                       json_pack("{s:I}", "rev", (json_int_t)rev));
}

/* Inserts one entry unless the bank holds the same hash enabled; *id gets
 * the new or the existing entry, *added 1 or 0. */
static int bank_insert(pvg_store_t *s, const char *bank, const uint8_t *pdq, int quality,
                       int64_t case_id, int64_t notice_id, int64_t decision_id,
                       const char *origin, const char *by, const char *note, int64_t now,
                       int64_t *id, int *added)
{
    *added = 0;
    int rc = pvg_store_x_int(s, id,
                             "SELECT id FROM media_bank_entries WHERE bank = ? AND pdq = ?"
                             " AND enabled = 1 ORDER BY id LIMIT 1",
                             "tb", bank, (const void *)pdq, (size_t)PDQ_BYTES);
    if (rc < 0)
        return rc;
    if (rc == PVG_STORE_ROW)
        return PVG_ENF_OK;
    int64_t r = pvg_store_x(s,
                            "INSERT INTO media_banks (name, created_at) VALUES (?, ?)"
                            " ON CONFLICT (name) DO NOTHING",
                            "ti", bank, now);
    if (r < 0)
        return (int)r;
    int64_t rev = 0;
    rc = pvg_store_media_next_rev(s, &rev);
    if (rc)
        return rc;
    rc = pvg_store_x_int(s, id,
                         "INSERT INTO media_bank_entries (bank, pdq, source_case_id,"
                         " source_notice_id, decision_id, origin, quality, enabled, created_at,"
                         " created_by, note, rev) VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0),"
                         " NULLIF(?, 0), ?, ?, 1, ?, ?, ?, ?) RETURNING id",
                         "tbiiitiitti", bank, (const void *)pdq, (size_t)PDQ_BYTES, case_id,
                         notice_id, decision_id, origin, (int64_t)quality, now, by, note, rev);
    if (rc != PVG_STORE_ROW)
        return rc < 0 ? rc : PVG_ENF_ESTORE;
    *added = 1;
    return PVG_ENF_OK;
}

typedef struct hash_list {
    uint8_t *pdq;
    int *quality;
    size_t n, cap;
} hash_list_t;

static void hl_free(hash_list_t *h)
{
    free(h->pdq);
    free(h->quality);
    memset(h, 0, sizeof *h);
}

/* Reads the hashes a query returns (columns pdq, quality) that pass the
 * quality rule; reading first, then inserting, keeps one statement open at
 * a time on the connection. */
static int hl_read(pvg_store_t *s, hash_list_t *h, const char *sql, int64_t id)
{
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st, sql, "i", id);
    if (rc)
        return rc;
    while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        const void *p;
        if (pvg_store_col_blob(st, 0, &p) != PDQ_BYTES) {
            rc = PVG_ENF_ESTORE;
            break;
        }
        int q = (int)pvg_store_col_int(st, 1);
        if (q >= 0 && q < PVG_BANK_MIN_QUALITY)
            continue;
        if (h->n == h->cap) {
            size_t cap = h->cap ? h->cap * 2 : 16;
            uint8_t *np = realloc(h->pdq, cap * PDQ_BYTES);
            if (np)
                h->pdq = np;
            int *nq = realloc(h->quality, cap * sizeof *nq);
            if (nq)
                h->quality = nq;
            if (!np || !nq) {
                rc = PVG_ENF_ENOMEM;
                break;
            }
            h->cap = cap;
        }
        memcpy(h->pdq + h->n * PDQ_BYTES, p, PDQ_BYTES);
        h->quality[h->n++] = q;
    }
    pvg_store_finalize(st);
    return rc == PVG_STORE_DONE ? PVG_ENF_OK : rc < 0 ? rc : PVG_ENF_ESTORE;
}

static int bank_from(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a, const char *sql,
                     int64_t src_id, const char *bank, int64_t case_id, int64_t notice_id,
                     int64_t decision_id, const char *origin, int64_t now, int64_t *added)
{
    hash_list_t h = {0};
    *added = 0;
    int rc = hl_read(s, &h, sql, src_id);
    int64_t first = 0, last = 0;
    for (size_t i = 0; !rc && i < h.n; i++) {
        int64_t id = 0;
        int add = 0;
        rc = bank_insert(s, bank, h.pdq + i * PDQ_BYTES, h.quality[i], case_id, notice_id,
                         decision_id, origin, a->id, NULL, now, &id, &add);
        if (!rc && add) {
            if (!first)
                first = id;
            last = id;
            (*added)++;
        }
    }
    hl_free(&h);
    if (!rc && *added) {
        rc = pvg__audit(e, s, a, "media_bank.added", case_id ? "case" : "notice",
                        case_id ? case_id : notice_id, NULL,
                        json_pack("{s:s, s:I, s:I, s:I, s:I}", "bank", bank, "entries",
                                  (json_int_t)*added, "first_entry", (json_int_t)first,
                                  "last_entry", (json_int_t)last, "decision_id",
                                  (json_int_t)decision_id));
        if (!rc)
            rc = bank_changed_event(e, s);
    }
    return rc;
}

int pvg__media_bank_from_case(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a,
                              int64_t case_id, int64_t decision_id, int64_t now, int64_t *added)
{
    return bank_from(e, s, a,
                     "SELECT h.pdq, h.quality FROM evidence_media_hashes h"
                     " JOIN evidence_media m ON h.media_id = m.id"
                     " JOIN reports r ON m.report_id = r.id"
                     " WHERE r.case_id = ? AND r.status = 'open' AND m.purged_at IS NULL"
                     " ORDER BY m.id, h.ord",
                     case_id, PVG_BANK_CONFIRMED, case_id, 0, decision_id, "decision", now, added);
}

int pvg__media_bank_from_notice(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a,
                                int64_t notice_id, int64_t now, int64_t *added)
{
    return bank_from(e, s, a,
                     "SELECT h.pdq, h.quality FROM evidence_media_hashes h"
                     " JOIN evidence_media m ON h.media_id = m.id"
                     " WHERE m.notice_id = ? AND m.purged_at IS NULL ORDER BY m.id, h.ord",
                     notice_id, PVG_BANK_PENDING, 0, notice_id, 0, "notice", now, added);
}

int pvg__media_bank_drop_notice(pvg_enforce_t *e, pvg_store_t *s, const pvg_actor_t *a,
                                int64_t notice_id, int64_t now, int64_t *disabled)
{
    *disabled = 0;
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         "SELECT id FROM media_bank_entries WHERE source_notice_id = ?"
                         " AND enabled = 1 ORDER BY id",
                         "i", notice_id);
    if (rc)
        return rc;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while ((rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *ni = realloc(ids, cap * sizeof *ni);
            if (!ni) {
                rc = PVG_ENF_ENOMEM;
                break;
            }
            ids = ni;
        }
        ids[n++] = pvg_store_col_int(st, 0);
    }
    pvg_store_finalize(st);
    rc = rc == PVG_STORE_DONE ? PVG_ENF_OK : rc < 0 ? rc : PVG_ENF_ESTORE;
    for (size_t i = 0; !rc && i < n; i++) {
        int64_t rev = 0;
        rc = pvg_store_media_next_rev(s, &rev);
        if (rc)
            break;
        int64_t r = pvg_store_x(s,
                                "UPDATE media_bank_entries SET enabled = 0, disabled_at = ?,"
                                " disabled_by = ?, rev = ? WHERE id = ?",
                                "itii", now, a->id, rev, ids[i]);
        if (r < 0)
            rc = (int)r;
    }
    free(ids);
    if (!rc && n) {
        *disabled = (int64_t)n;
        rc = pvg__audit(e, s, a, "media_bank.disabled", "notice", notice_id, NULL,
                        json_pack("{s:I}", "entries", (json_int_t)n));
        if (!rc)
            rc = bank_changed_event(e, s);
    }
    return rc;
}

json_t *pvg__media_view(pvg_store_t *s, int64_t report_id, int64_t notice_id, int *err)
{
    json_t *arr = json_array();
    pvg_stmt_t *st;
    int rc = pvg_store_q(s, &st,
                         report_id
                             ? "SELECT m.id, m.ord, m.kind, m.content_type, m.size, m.purged_at,"
                               " (SELECT COUNT(*) FROM evidence_media_hashes h"
                               "  WHERE h.media_id = m.id),"
                               " (SELECT h.pdq FROM evidence_media_hashes h"
                               "  WHERE h.media_id = m.id AND h.ord = 0)"
                               " FROM evidence_media m WHERE m.report_id = ? ORDER BY m.ord"
                             : "SELECT m.id, m.ord, m.kind, m.content_type, m.size, m.purged_at,"
                               " (SELECT COUNT(*) FROM evidence_media_hashes h"
                               "  WHERE h.media_id = m.id),"
                               " (SELECT h.pdq FROM evidence_media_hashes h"
                               "  WHERE h.media_id = m.id AND h.ord = 0)"
                               " FROM evidence_media m WHERE m.notice_id = ? ORDER BY m.ord",
                         "i", report_id ? report_id : notice_id);
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        const void *p;
        char hex[2 * PDQ_BYTES + 1];
        int has = pvg_store_col_blob(st, 7, &p) == PDQ_BYTES;
        if (has)
            to_hex(p, hex);
        const char *ct = pvg_store_col_text(st, 3);
        json_array_append_new(
            arr, json_pack("{s:I, s:I, s:s, s:o, s:I, s:I, s:o, s:b}", "media_id",
                           (json_int_t)pvg_store_col_int(st, 0), "ord",
                           (json_int_t)pvg_store_col_int(st, 1), "kind",
                           pvg_store_col_text(st, 2), "content_type",
                           ct ? json_string(ct) : json_null(), "size",
                           (json_int_t)pvg_store_col_int(st, 4), "hashes",
                           (json_int_t)pvg_store_col_int(st, 6), "pdq",
                           has ? json_string(hex) : json_null(), "purged",
                           !pvg_store_col_null(st, 5)));
    }
    pvg_store_finalize(st);
    if (rc < 0 && err && !*err)
        *err = rc;
    return arr;
}

int pvg__media_purge(pvg_store_t *s, int64_t now, int64_t *purged)
{
    int64_t r = pvg_store_x(s,
                            "DELETE FROM evidence_media_hashes WHERE media_id IN"
                            " (SELECT id FROM evidence_media WHERE purged_at IS NULL"
                            " AND retain_until <= ? AND legal_hold = 0)",
                            "i", now);
    if (r >= 0)
        r = pvg_store_x(s,
                        "UPDATE evidence_media SET kid = NULL, nonce = NULL, ciphertext = NULL,"
                        " purged_at = ? WHERE purged_at IS NULL AND retain_until <= ?"
                        " AND legal_hold = 0",
                        "ii", now, now);
    if (r < 0)
        return (int)r;
    if (purged)
        *purged = r;
    return PVG_ENF_OK;
}

/* ------------------------------------------------------------ public */

int pvg_media_bank_add(pvg_enforce_t *e, const pvg_actor_t *a, const pvg_bank_entry_in_t *in,
                       int64_t *entry_id)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    const char *bank = in && in->bank ? in->bank : PVG_BANK_CONFIRMED;
    if (!e || !in || !entry_id || !in->pdq || !valid_bank(bank) || in->quality < -1 ||
        in->quality > 100 || in->case_id < 0 || in->notice_id < 0 ||
        (in->note && strlen(in->note) > 2000))
        return PVG_ENF_EINVAL;
    *entry_id = 0;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    int64_t one;
    if (in->case_id) {
        rc = pvg_store_x_int(s, &one, "SELECT 1 FROM cases WHERE id = ?", "i", in->case_id);
        if (rc != PVG_STORE_ROW) {
            rc = rc < 0 ? rc : PVG_ENF_ENOTFOUND;
            goto out;
        }
    }
    if (in->notice_id) {
        rc = pvg_store_x_int(s, &one, "SELECT 1 FROM notices WHERE id = ?", "i", in->notice_id);
        if (rc != PVG_STORE_ROW) {
            rc = rc < 0 ? rc : PVG_ENF_ENOTFOUND;
            goto out;
        }
    }
    int added = 0;
    rc = bank_insert(s, bank, in->pdq, in->quality, in->case_id, in->notice_id, 0, "manual",
                     a->id, in->note, now, entry_id, &added);
    if (rc)
        goto out;
    if (!added) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    rc = pvg__audit(e, s, a, "media_bank.added", "media_bank_entry", *entry_id, in->note,
                    json_pack("{s:s, s:I, s:I}", "bank", bank, "case_id",
                              (json_int_t)in->case_id, "notice_id", (json_int_t)in->notice_id));
    if (!rc)
        rc = bank_changed_event(e, s);
    if (!rc)
        rc = pvg_store_commit(s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

int pvg_media_bank_disable(pvg_enforce_t *e, const pvg_actor_t *a, int64_t entry_id,
                           const char *reason)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!e || entry_id <= 0 || (reason && strlen(reason) > 2000))
        return PVG_ENF_EINVAL;
    int64_t now = pvg_enforce_now(e);
    pvg_store_t *s = pvg__acquire(e);
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    int64_t enabled = 0, rev = 0;
    rc = pvg_store_x_int(s, &enabled, "SELECT enabled FROM media_bank_entries WHERE id = ?", "i",
                         entry_id);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ENOTFOUND;
        goto out;
    }
    if (!enabled) {
        rc = PVG_ENF_EALREADY;
        goto out;
    }
    rc = pvg_store_media_next_rev(s, &rev);
    if (rc)
        goto out;
    int64_t r = pvg_store_x(s,
                            "UPDATE media_bank_entries SET enabled = 0, disabled_at = ?,"
                            " disabled_by = ?, rev = ? WHERE id = ?",
                            "itii", now, a->id, rev, entry_id);
    rc = r < 0 ? (int)r
               : pvg__audit(e, s, a, "media_bank.disabled", "media_bank_entry", entry_id, reason,
                            NULL);
    if (!rc)
        rc = bank_changed_event(e, s);
    if (!rc)
        rc = pvg_store_commit(s);
out:
    pvg_store_rollback(s);
    pvg__release(e, s);
    return rc;
}

static json_t *nz_or_null(pvg_stmt_t *st, int col)
{
    int64_t v = pvg_store_col_int(st, col);
    return pvg_store_col_null(st, col) || !v ? json_null() : json_integer(v);
}

static json_t *str_or_null(pvg_stmt_t *st, int col)
{
    const char *t = pvg_store_col_text(st, col);
    return t ? json_string(t) : json_null();
}

int pvg_media_bank_list(pvg_enforce_t *e, const pvg_actor_t *a, const char *bank,
                        int include_disabled, int64_t after_id, int limit, char **json)
{
    int rc = pvg__role_check(a, R(TRIAGE) | R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!e || !json || limit < 1 || limit > 10000 || after_id < 0 || (bank && !valid_bank(bank)))
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st;
    rc = pvg_store_q(s, &st,
                     "SELECT id, bank, pdq, quality, source_case_id, source_notice_id, decision_id,"
                     " origin, enabled, created_at, created_by, note, disabled_at, disabled_by"
                     " FROM media_bank_entries WHERE id > ? AND (? = '' OR bank = ?)"
                     " AND (? = 1 OR enabled = 1) ORDER BY id LIMIT ?",
                     "ittii", after_id, bank ? bank : "", bank ? bank : "",
                     (int64_t)(include_disabled ? 1 : 0), (int64_t)limit);
    json_t *arr = json_array();
    while (rc >= 0 && (rc = pvg_store_step(st)) == PVG_STORE_ROW) {
        const void *p;
        char hex[2 * PDQ_BYTES + 1];
        if (pvg_store_col_blob(st, 2, &p) != PDQ_BYTES) {
            rc = PVG_ENF_ESTORE;
            break;
        }
        to_hex(p, hex);
        json_array_append_new(
            arr,
            json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:o, s:o, s:o, s:o}",
                      "id", (json_int_t)pvg_store_col_int(st, 0), "bank",
                      pvg_store_col_text(st, 1), "pdq", hex, "quality",
                      pvg_store_col_null(st, 3) || pvg_store_col_int(st, 3) < 0
                          ? json_null()
                          : json_integer(pvg_store_col_int(st, 3)),
                      "case_id", nz_or_null(st, 4), "notice_id", nz_or_null(st, 5),
                      "decision_id", nz_or_null(st, 6), "origin", str_or_null(st, 7), "enabled",
                      pvg_store_col_int(st, 8) != 0, "created_at",
                      (json_int_t)pvg_store_col_int(st, 9), "created_by", str_or_null(st, 10),
                      "note", str_or_null(st, 11), "disabled_at", nz_or_null(st, 12),
                      "disabled_by", str_or_null(st, 13)));
    }
    pvg_store_finalize(st);
    pvg__release(e, s);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    return pvg__json_out(arr, json);
}

int pvg_media_bank_changes(pvg_enforce_t *e, int64_t after_rev, int64_t after_id, int limit,
                           pvg_media_row_cb cb, void *ctx, int *n)
{
    if (!e)
        return PVG_ENF_EINVAL;
    pvg_store_t *s = pvg__acquire(e);
    int rc = pvg_store_media_changes(s, after_rev, after_id, limit, cb, ctx, n);
    pvg__release(e, s);
    return rc;
}

int pvg_media_evidence_reveal(pvg_enforce_t *e, const pvg_actor_t *a, int64_t media_id,
                              const char *reason, void **data, size_t *len, char **content_type)
{
    int rc = pvg__role_check(a, R(MODERATOR) | R(ADMIN));
    if (rc)
        return rc;
    if (!e || media_id <= 0 || !data || !len || !reason || !*reason || strlen(reason) > 1000)
        return PVG_ENF_EINVAL;
    *data = NULL;
    *len = 0;
    if (content_type)
        *content_type = NULL;
    pvg_store_t *s = pvg__acquire(e);
    pvg_stmt_t *st = NULL;
    char *plain = NULL, *ct = NULL;
    size_t pn = 0;
    /* The read is on record before any byte leaves. */
    rc = pvg_store_begin(s);
    if (rc)
        goto out;
    int64_t one;
    rc = pvg_store_x_int(s, &one,
                         "SELECT 1 FROM evidence_media WHERE id = ? AND ciphertext IS NOT NULL",
                         "i", media_id);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ENOTFOUND;
        goto out;
    }
    rc = pvg__audit(e, s, a, "media_evidence.revealed", "evidence_media", media_id, reason, NULL);
    if (!rc)
        rc = pvg_store_commit(s);
    if (rc)
        goto out;
    rc = pvg_store_q(s, &st,
                     "SELECT kid, nonce, ciphertext, content_type FROM evidence_media"
                     " WHERE id = ? AND ciphertext IS NOT NULL",
                     "i", media_id);
    if (rc)
        goto out;
    rc = pvg_store_step(st);
    if (rc != PVG_STORE_ROW) {
        rc = rc < 0 ? rc : PVG_ENF_ENOTFOUND;
        goto out;
    }
    const char *kid = pvg_store_col_text(st, 0);
    const void *nonce, *c;
    size_t nn = pvg_store_col_blob(st, 1, &nonce), cn = pvg_store_col_blob(st, 2, &c);
    char ad[64];
    snprintf(ad, sizeof ad, "evidence-media:%" PRId64, media_id);
    rc = kid ? pvg__open(e, ad, (int)strtol(kid, NULL, 10), nonce, nn, c, cn, &plain, &pn)
             : PVG_ENF_ETAMPERED;
    if (!rc && content_type && pvg_store_col_text(st, 3)) {
        ct = strdup(pvg_store_col_text(st, 3));
        if (!ct)
            rc = PVG_ENF_ENOMEM;
    }
    if (!rc) {
        *data = plain;
        *len = pn;
        plain = NULL;
        if (content_type)
            *content_type = ct;
        ct = NULL;
    }
out:
    pvg_store_finalize(st);
    pvg_store_rollback(s);
    pvg__release(e, s);
    if (plain) {
        sodium_memzero(plain, pn);
        free(plain);
    }
    free(ct);
    return rc;
}
