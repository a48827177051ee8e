/* SPDX-License-Identifier: MIT */
/*
 * events.h -- internal helpers of the event policy (events.c), exposed for
 * white-box tests: identifier normalisation and the official-client rule.
 * pvg_scan_event() itself is public (include/privguard/privguard.h).
 *
 * Ownership: the functions write only into buffers the caller passes and
 * keep nothing; they are pure and thread-safe.
 */
#ifndef PVG_POLICY_EVENTS_H
#define PVG_POLICY_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* Identifier kinds, in the order of their names "phone", "rrn", "ci",
 * "email". */
enum { PVG__ID_PHONE = 0, PVG__ID_RRN, PVG__ID_CI, PVG__ID_EMAIL, PVG__ID_COUNT };

/* The longest identifier value accepted, in bytes, before and after
 * normalisation. */
#define PVG__ID_MAX 256

/* The kind for a name ("phone", ...), or -1. Exact, lowercase. */
int pvg__identifier_kind(const char *name, size_t len);
const char *pvg__identifier_kind_name(int kind);

/* Normalises value (len bytes) of kind into out (PVG__ID_MAX bytes):
 *   phone: ASCII digits only; a leading 00 is dropped, then a leading 82
 *          (the country code) becomes 0 ("+82 10-1234-5678" and
 *          "010-1234-5678" agree; "+82 (0)10..." too); 7 to 15 digits;
 *   rrn:   ASCII digits only, exactly 13;
 *   email: ASCII white space trimmed at both ends, ASCII letters
 *          lowercased, one '@' with text on both sides;
 *   ci:    as is, 1 to PVG__ID_MAX bytes.
 * Returns the normalised length, or -1 when the value is not valid for its
 * kind. The caller wipes out after use (it holds personal data). */
int pvg__identifier_normalise(int kind, const char *value, size_t len, char *out);

/* Whether a client name is one of the messenger's official clients:
 * "KakaoTalk" in any letter case, alone or followed by a platform suffix
 * after ' ', '-', '_' or '/' ("KakaoTalk Android", "kakaotalk-pc"). */
int pvg__client_official(const char *name, size_t len);

/* Whether a key-export destination is the account's own: "self",
 * "own_device" or "own-device" (any case), or "account:<account>". */
int pvg__destination_own(const char *dest, size_t len, const char *account, size_t account_len);

#endif
