/* SPDX-License-Identifier: MIT */
/*
 * streamgen.h -- generated chat traffic for the stream tests and benchmark:
 * fake messages only (invented names, random numbers), written as
 * scan-contract JSONL with ids "<id_prefix><i>".
 */
#ifndef PVG_TESTS_STREAMGEN_H
#define PVG_TESTS_STREAMGEN_H

#include <stdint.h>
#include <stdio.h>

/* Writes n messages to f: rooms r0..r<rooms-1>, senders u0..u<4*rooms>,
 * timestamps increasing per message. About one in `bad_every` messages is
 * a violation the default policy sends to review or blocks (a third
 * party's phone number with a doxxing cue in an open chat, a request for
 * resident numbers, a data-trade offer); 0 for none. Returns 0 or -1. */
int streamgen_write(FILE *f, const char *id_prefix, uint64_t n, unsigned rooms,
                    unsigned bad_every, uint64_t seed);

#endif
