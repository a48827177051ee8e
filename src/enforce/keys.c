/* SPDX-License-Identifier: MIT */
/*
 * keys.c -- key files: evidence encryption, identifier fingerprints, token
 * hashing and audit chain keys, kept outside the database.
 *
 * A key is a file <dir>/<purpose>-<kid>.key holding 64 hex characters (32
 * random bytes) and a newline, mode 0600, in a folder of mode 0700. The
 * current key of a purpose is the one with the highest kid; rotation adds
 * kid+1 and keeps the others, so anything protected under an older key
 * (its kid is stored next to it) stays readable. A key file readable by
 * group or others is refused.
 */
#include "enforce/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const purpose_names[KEY_NPURPOSES] = {"evidence", "ident", "token", "audit"};

const char *pvg__key_purpose_name(key_purpose_t p)
{
    return p < KEY_NPURPOSES ? purpose_names[p] : "?";
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (!n || n >= sizeof buf)
        return -1;
    memcpy(buf, dir, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0700) && errno != EEXIST)
        return -1;
    return 0;
}

static int read_key(const char *path, unsigned char k[32])
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return PVG_ENF_EKEY;
    struct stat st;
    char hex[80];
    int rc = PVG_ENF_EKEY;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_mode & 077))
        goto out;
    ssize_t n = read(fd, hex, sizeof hex - 1);
    if (n < 64)
        goto out;
    hex[n] = 0;
    size_t bin_len = 0;
    if (sodium_hex2bin(k, 32, hex, 64, NULL, &bin_len, NULL) || bin_len != 32)
        goto out;
    rc = PVG_ENF_OK;
out:
    sodium_memzero(hex, sizeof hex);
    close(fd);
    return rc;
}

static int write_key(const char *dir, key_purpose_t p, int kid)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s-%d.key", dir, purpose_names[p], kid);
    unsigned char k[32];
    char hex[66];
    randombytes_buf(k, sizeof k);
    sodium_bin2hex(hex, sizeof hex, k, sizeof k);
    hex[64] = '\n';
    int rc = PVG_ENF_EKEY;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (write(fd, hex, 65) == 65 && !fsync(fd))
            rc = PVG_ENF_OK;
        close(fd);
        if (rc)
            unlink(path);
    }
    sodium_memzero(k, sizeof k);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

/* Parses "<purpose>-<kid>.key"; -1 when the name is not a key file. */
static int parse_name(const char *name, key_purpose_t *p)
{
    for (int i = 0; i < KEY_NPURPOSES; i++) {
        size_t n = strlen(purpose_names[i]);
        if (strncmp(name, purpose_names[i], n) || name[n] != '-')
            continue;
        const char *q = name + n + 1;
        char *end;
        errno = 0;
        long kid = strtol(q, &end, 10);
        if (end == q || errno || kid < 1 || kid > 1000000 || strcmp(end, ".key"))
            return -1;
        *p = (key_purpose_t)i;
        return (int)kid;
    }
    return -1;
}

static int scan_dir(const char *dir, pvg_keys_t *ks)
{
    DIR *d = opendir(dir);
    if (!d)
        return PVG_ENF_EKEY;
    struct dirent *de;
    int rc = PVG_ENF_OK;
    while ((de = readdir(d))) {
        key_purpose_t p;
        int kid = parse_name(de->d_name, &p);
        if (kid < 0)
            continue;
        pvg_key_t *nk = realloc(ks->keys, (ks->n + 1) * sizeof *nk);
        if (!nk) {
            rc = PVG_ENF_ENOMEM;
            break;
        }
        ks->keys = nk;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        pvg_key_t *k = &ks->keys[ks->n];
        k->purpose = p;
        k->kid = kid;
        rc = read_key(path, k->k);
        if (rc)
            break;
        ks->n++;
    }
    closedir(d);
    return rc;
}

void pvg__keys_free(pvg_keys_t *k)
{
    if (!k)
        return;
    if (k->keys)
        sodium_memzero(k->keys, k->n * sizeof *k->keys);
    free(k->keys);
    free(k->dir);
    free(k);
}

const pvg_key_t *pvg__key_current(const pvg_keys_t *ks, key_purpose_t p)
{
    const pvg_key_t *best = NULL;
    for (size_t i = 0; i < ks->n; i++)
        if (ks->keys[i].purpose == p && (!best || ks->keys[i].kid > best->kid))
            best = &ks->keys[i];
    return best;
}

const pvg_key_t *pvg__key_get(const pvg_keys_t *ks, key_purpose_t p, int kid)
{
    for (size_t i = 0; i < ks->n; i++)
        if (ks->keys[i].purpose == p && ks->keys[i].kid == kid)
            return &ks->keys[i];
    return NULL;
}

int pvg__keys_load(const char *dir, pvg_keys_t **out)
{
    *out = NULL;
    if (!dir || !*dir || strlen(dir) > 4000)
        return PVG_ENF_EINVAL;
    if (mkdirs(dir))
        return PVG_ENF_EKEY;
    pvg_keys_t *ks = calloc(1, sizeof *ks);
    if (!ks || !(ks->dir = strdup(dir))) {
        free(ks);
        return PVG_ENF_ENOMEM;
    }
    int rc = scan_dir(dir, ks);
    int created = 0;
    for (int p = 0; !rc && p < KEY_NPURPOSES; p++) {
        if (!pvg__key_current(ks, (key_purpose_t)p)) {
            rc = write_key(dir, (key_purpose_t)p, 1);
            /* another process may have created it first: that is fine */
            if (rc && errno == EEXIST)
                rc = PVG_ENF_OK;
            created = 1;
        }
    }
    if (!rc && created) {
        ks->n = 0;
        rc = scan_dir(dir, ks);
    }
    for (int p = 0; !rc && p < KEY_NPURPOSES; p++)
        if (!pvg__key_current(ks, (key_purpose_t)p))
            rc = PVG_ENF_EKEY;
    if (rc) {
        pvg__keys_free(ks);
        return rc;
    }
    *out = ks;
    return PVG_ENF_OK;
}

int pvg_keys_rotate(const char *key_dir, const char *purpose)
{
    if (sodium_init() < 0)
        return PVG_ENF_EKEY;
    pvg_keys_t *ks;
    int rc = pvg__keys_load(key_dir, &ks);
    if (rc)
        return rc;
    int any = 0;
    for (int p = 0; !rc && p < KEY_NPURPOSES; p++) {
        if (purpose && strcmp(purpose, purpose_names[p]))
            continue;
        any = 1;
        const pvg_key_t *cur = pvg__key_current(ks, (key_purpose_t)p);
        rc = write_key(key_dir, (key_purpose_t)p, cur->kid + 1);
    }
    pvg__keys_free(ks);
    return rc ? rc : any ? PVG_ENF_OK : PVG_ENF_EINVAL;
}
