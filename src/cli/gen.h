/* SPDX-License-Identifier: MIT */
/*
 * gen.h -- fake personal information with valid check digits, for the
 * benchmark's default corpus and the evaluation set. Never real people's
 * data: every value is drawn from a seeded generator.
 */
#ifndef PVG_CLI_GEN_H
#define PVG_CLI_GEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct gen { uint64_t state; } gen_t;

void gen_seed(gen_t *g, uint64_t seed);
uint32_t gen_u32(gen_t *g);
/* Each writes a NUL-terminated value into out (at least 64 bytes). */
void gen_phone(gen_t *g, char *out, size_t cap);
void gen_rrn(gen_t *g, char *out, size_t cap, int foreigner);
void gen_card(gen_t *g, char *out, size_t cap);
void gen_email(gen_t *g, char *out, size_t cap);
void gen_ip(gen_t *g, char *out, size_t cap);
/* A chat message holding one generated value; returns its length. */
size_t gen_message(gen_t *g, char *out, size_t cap);

#endif
