/* SPDX-License-Identifier: MIT */
/*
 * store_int.h -- internals shared by the store's files (not installed).
 *
 * store.c holds both backends behind pvg_store_t; schema.c holds the
 * migrations, written once with two tokens that differ between the
 * backends: {ID} (an auto-assigned 64-bit primary key) and {BLOB}.
 */
#ifndef PVG_STORE_INT_H
#define PVG_STORE_INT_H

#include <privguard/store.h>

typedef struct pvg_migration {
    int version;
    const char *name;
    const char *sql; /* one or more statements, with {ID} and {BLOB} tokens */
} pvg_migration_t;

/* The migrations in version order; *n gets their count. */
const pvg_migration_t *pvg__store_migrations(size_t *n);

/* Expands the {ID}/{BLOB} tokens for the store's kind. The caller frees. */
char *pvg__store_expand(const pvg_store_t *s, const char *sql);

#endif
