/* SPDX-License-Identifier: MIT */
/*
 * registry.c -- the detector families, in the order they run. A family
 * adds candidates; the engine resolves overlaps afterwards, so the order
 * matters only for the candidate table's limit.
 */
#include "engine/internal.h"

const pvg__family_t pvg__families[] = {
    {"ids", pvg__detect_ids, NULL},
    {"phone", pvg__detect_phone, NULL},
    {"card", pvg__detect_card, NULL},
    {"email", pvg__detect_email, NULL},
    {"ip", pvg__detect_ip, NULL},
    {"url", pvg__detect_url, NULL},
    {"bank", pvg__detect_bank, pvg__bank_words},
    {"passport", pvg__detect_passport, pvg__license_words},
    {"address", pvg__detect_address, NULL},
    {"dob", pvg__detect_dob, pvg__dob_words},
    /* PERSON reads the other families' candidates (a name next to a phone
     * number): it must stay last. */
    {"person", pvg__detect_person, pvg__person_words},
};
const size_t pvg__n_families = sizeof pvg__families / sizeof pvg__families[0];
