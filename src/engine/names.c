/* SPDX-License-Identifier: MIT */
/*
 * names.c -- error strings, version, and the names of entity types,
 * classes, surfaces and actions used by the scan contract.
 */
#include <string.h>

#include <privguard/privguard.h>

PVG_API const char *pvg_strerror(pvg_error_t err)
{
    switch (err) {
    case PVG_OK: return "success";
    case PVG_EINVAL: return "invalid argument";
    case PVG_ENOMEM: return "out of memory";
    case PVG_ECOMPILE: return "rules did not compile";
    case PVG_EUTF8: return "invalid utf-8";
    case PVG_ETOOBIG: return "input too long";
    case PVG_ESCRATCH_BUSY: return "scratch in use by another call";
    case PVG_EVERSION: return "object from another library version";
    case PVG_ESCRATCH_SMALL: return "scratch too small for this engine";
    case PVG_ESTOPPED: return "stopped by the callback";
    case PVG_EINTERNAL: return "internal error";
    case PVG_ENOTFOUND: return "not found";
    default: return "unknown error";
    }
}

PVG_API const char *pvg_version(void) { return PVG_VERSION_STRING; }

static const char *const entity_names[PVG_ENTITY_COUNT] = {
    "KR_RRN", "KR_FRN", "PHONE_NUMBER", "EMAIL_ADDRESS", "CREDIT_CARD",
    "IP_ADDRESS", "URL", "KR_BANK_ACCOUNT", "KR_PASSPORT", "KR_DRIVER_LICENSE",
    "ADDRESS", "PERSON", "DATE_OF_BIRTH",
};

static const unsigned char entity_class[PVG_ENTITY_COUNT] = {
    PVG_CLASS_DIRECT, PVG_CLASS_DIRECT, PVG_CLASS_QUASI, PVG_CLASS_QUASI,
    PVG_CLASS_DIRECT, PVG_CLASS_QUASI, PVG_CLASS_SIGNAL, PVG_CLASS_DIRECT,
    PVG_CLASS_DIRECT, PVG_CLASS_DIRECT, PVG_CLASS_QUASI, PVG_CLASS_QUASI,
    PVG_CLASS_QUASI,
};

PVG_API const char *pvg_entity_name(int type)
{
    return type >= 0 && type < PVG_ENTITY_COUNT ? entity_names[type] : NULL;
}

static int name_eq(const char *a, const char *b, size_t blen)
{
    return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

PVG_API int pvg_entity_from_name(const char *name, size_t len)
{
    if (!name)
        return PVG_ENOTFOUND;
    for (int i = 0; i < PVG_ENTITY_COUNT; i++)
        if (name_eq(entity_names[i], name, len))
            return i;
    return PVG_ENOTFOUND;
}

PVG_API pvg_class_t pvg_entity_class(int type)
{
    return type >= 0 && type < PVG_ENTITY_COUNT ? (pvg_class_t)entity_class[type]
                                                : PVG_CLASS_SIGNAL;
}

PVG_API const char *pvg_class_name(int cls)
{
    switch (cls) {
    case PVG_CLASS_DIRECT: return "direct";
    case PVG_CLASS_QUASI: return "quasi";
    case PVG_CLASS_SIGNAL: return "signal";
    default: return NULL;
    }
}

static const char *const surface_names[PVG_SURFACE_COUNT] = {
    "direct", "group", "open_chat", "open_profile", "board", "profile",
};

PVG_API const char *pvg_surface_name(int surface)
{
    return surface >= 0 && surface < PVG_SURFACE_COUNT ? surface_names[surface] : NULL;
}

PVG_API int pvg_surface_from_name(const char *name, size_t len)
{
    if (!name)
        return PVG_ENOTFOUND;
    for (int i = 0; i < PVG_SURFACE_COUNT; i++)
        if (name_eq(surface_names[i], name, len))
            return i;
    return PVG_ENOTFOUND;
}

PVG_API const char *pvg_action_name(int action)
{
    switch (action) {
    case PVG_ACTION_ALLOW: return "allow";
    case PVG_ACTION_MASK: return "mask";
    case PVG_ACTION_REVIEW: return "review";
    case PVG_ACTION_BLOCK: return "block";
    default: return NULL;
    }
}
