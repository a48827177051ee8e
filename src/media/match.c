/* SPDX-License-Identifier: MIT */
/*
 * match.c -- the match rules for images and videos over a hash bank index.
 *
 * An image matches when its hash is of sufficient quality and an enabled
 * entry lies within the threshold of it or (by default) of one of its seven
 * rotated and flipped forms. A video matches when at least K of its
 * sufficiently good sampled frames match, K = min(video_min_frames, good
 * frames) (media.h states the rule; docs/media.md explains the choice).
 * Matches are aggregated per bank entry: the best distance, the variant
 * that gave it, how many frames hit the entry and when first.
 */
#include <stdlib.h>
#include <string.h>

#include "media/media_internal.h"

/* Entries listed per answer; more are counted but not listed. */
#define MAX_LISTED 256

void pvg_media_match_opts_default(pvg_media_match_opts_t *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->max_distance = PVG_PDQ_DEFAULT_THRESHOLD;
    o->min_quality = PVG_PDQ_MIN_QUALITY;
    o->dihedral = 1;
    o->bank = NULL;
    o->video_min_frames = 2;
}

void pvg_media_matches_free(pvg_media_matches_t *m)
{
    if (!m)
        return;
    free(m->items);
    free(m);
}

typedef struct collect {
    pvg_media_matches_t *m;
    size_t cap;
    int variant;
    double t;
    uint32_t frame_no; /* 1-based number of the frame being matched */
    uint32_t *last_frame; /* per item: the last frame that hit it */
    int hit_this_frame;
    int oom;
} collect_t;

static int on_hit(const pvg_media_hit_t *hit, void *ctx)
{
    collect_t *c = ctx;
    pvg_media_matches_t *m = c->m;
    c->hit_this_frame = 1;
    size_t i;
    /* Entry ids are arena strings of the index: the pointer identifies the
     * entry. */
    for (i = 0; i < m->n; i++)
        if (m->items[i].hit.entry_id == hit->entry_id)
            break;
    if (i == m->n) {
        if (m->n >= MAX_LISTED)
            return 0;
        if (m->n == c->cap) {
            size_t nc = c->cap ? c->cap * 2 : 8;
            pvg_media_match_t *ni = realloc(m->items, nc * sizeof *ni);
            if (!ni) {
                c->oom = 1;
                return 1;
            }
            m->items = ni;
            uint32_t *nl = realloc(c->last_frame, nc * sizeof *nl);
            if (!nl) {
                c->oom = 1;
                return 1;
            }
            c->last_frame = nl;
            c->cap = nc;
        }
        pvg_media_match_t *it = &m->items[m->n++];
        memset(it, 0, sizeof *it);
        it->hit = *hit;
        it->variant = c->variant;
        it->frames = 1;
        it->first_t = c->t;
        c->last_frame[i] = c->frame_no;
        return 0;
    }
    pvg_media_match_t *it = &m->items[i];
    if (hit->distance < it->hit.distance) {
        it->hit.distance = hit->distance;
        it->variant = c->variant;
    }
    if (c->last_frame[i] != c->frame_no) {
        c->last_frame[i] = c->frame_no;
        it->frames++;
    }
    return 0;
}

static int by_rank(const void *a, const void *b)
{
    const pvg_media_match_t *x = a, *y = b;
    if (x->frames != y->frames)
        return x->frames > y->frames ? -1 : 1;
    if (x->hit.distance != y->hit.distance)
        return x->hit.distance < y->hit.distance ? -1 : 1;
    return strcmp(x->hit.entry_id, y->hit.entry_id);
}

/* Matches one hash (and its forms) as frame number frame_no at time t. */
static pvg_error_t match_one(const pvg_media_index_t *idx, const pvg_pdq_result_t *pdq,
                             const pvg_media_match_opts_t *o, collect_t *c)
{
    c->hit_this_frame = 0;
    int forms = o->dihedral ? PVG_DIH_COUNT : 1;
    for (int v = 0; v < forms; v++) {
        c->variant = v;
        pvg_error_t rc = pvg_media_index_query(idx, &pdq->dihedral[v], o->max_distance, o->bank,
                                               on_hit, c);
        if (c->oom)
            return PVG_ENOMEM;
        if (rc != PVG_OK)
            return rc;
    }
    return PVG_OK;
}

static pvg_error_t begin(const pvg_media_index_t *idx, const pvg_media_match_opts_t **o,
                         pvg_media_match_opts_t *def, pvg_media_matches_t **out, collect_t *c)
{
    if (!out)
        return PVG_EINVAL;
    *out = NULL;
    if (!idx)
        return PVG_EINVAL;
    if (!*o) {
        pvg_media_match_opts_default(def);
        *o = def;
    }
    if ((*o)->max_distance < 0 || (*o)->max_distance > 256)
        return PVG_EINVAL;
    memset(c, 0, sizeof *c);
    c->m = calloc(1, sizeof *c->m);
    return c->m ? PVG_OK : PVG_ENOMEM;
}

static pvg_error_t finish(collect_t *c, pvg_error_t rc, pvg_media_matches_t **out)
{
    free(c->last_frame);
    if (rc != PVG_OK) {
        pvg_media_matches_free(c->m);
        return rc;
    }
    if (c->m->n > 1)
        qsort(c->m->items, c->m->n, sizeof *c->m->items, by_rank);
    *out = c->m;
    return PVG_OK;
}

pvg_error_t pvg_media_match_image(const pvg_media_index_t *idx, const pvg_pdq_result_t *pdq,
                                  const pvg_media_match_opts_t *opts, pvg_media_matches_t **out)
{
    pvg_media_match_opts_t def;
    collect_t c;
    pvg_error_t rc = begin(idx, &opts, &def, out, &c);
    if (rc != PVG_OK)
        return rc;
    if (!pdq)
        return finish(&c, PVG_EINVAL, out);
    if (pdq->quality >= opts->min_quality) {
        c.m->frames_considered = 1;
        c.frame_no = 1;
        rc = match_one(idx, pdq, opts, &c);
        if (c.hit_this_frame)
            c.m->frames_matched = 1;
        c.m->matched = c.m->frames_matched > 0;
    }
    return finish(&c, rc, out);
}

pvg_error_t pvg_media_match_video(const pvg_media_index_t *idx, const pvg_media_video_t *v,
                                  const pvg_media_match_opts_t *opts, pvg_media_matches_t **out)
{
    pvg_media_match_opts_t def;
    collect_t c;
    pvg_error_t rc = begin(idx, &opts, &def, out, &c);
    if (rc != PVG_OK)
        return rc;
    if (!v || (v->n_frames && !v->frames))
        return finish(&c, PVG_EINVAL, out);
    for (size_t i = 0; i < v->n_frames && rc == PVG_OK; i++) {
        const pvg_media_frame_t *f = &v->frames[i];
        if (f->pdq.quality < opts->min_quality)
            continue;
        c.m->frames_considered++;
        c.frame_no = (uint32_t)(i + 1);
        c.t = f->t;
        rc = match_one(idx, &f->pdq, opts, &c);
        if (c.hit_this_frame)
            c.m->frames_matched++;
    }
    uint32_t k = opts->video_min_frames ? opts->video_min_frames : 1;
    if (k > c.m->frames_considered)
        k = c.m->frames_considered;
    c.m->matched = c.m->frames_considered > 0 && c.m->frames_matched >= k;
    return finish(&c, rc, out);
}
