// SPDX-License-Identifier: MIT
// api.js -- the console's only way to the service: fetch() on the same
// origin with the session's Bearer token, JSON in and out, and errors as
// ApiError {status, code, message} (the service's {"error","message"}).
// The session (token and role) lives in sessionStorage, so it ends with the
// tab. The role comes from GET /v1/whoami (see whoami()).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_error';
  }
}

const KEY = 'pvg.session';

export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return s && typeof s.token === 'string' && typeof s.role === 'string' ? s : null;
  } catch (_) {
    return null;
  }
}

export function saveSession(token, role) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, role }));
}

export function endSession() {
  sessionStorage.removeItem(KEY);
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

async function raw(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  const tok = token ?? session()?.token;
  if (tok) headers.Authorization = `Bearer ${tok}`;
  const init = { method, headers, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return fetch(path, init);
}

async function parse(res) {
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (_) { data = null; }
  }
  if (!res.ok) {
    const code = data && data.error;
    const err = new ApiError(res.status, code, data && data.message);
    if (data && data.report_id) err.reportId = data.report_id;
    throw err;
  }
  return data;
}

/** A JSON call; a 401 ends the session (the token was revoked or is wrong). */
export async function call(method, path, body) {
  const res = await raw(method, path, { body });
  if (res.status === 401 && session()) {
    endSession();
    onUnauthorized();
  }
  return parse(res);
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body ?? {});

/** Query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/**
 * The role behind a token: GET /v1/whoami answers {role, token_id} for any
 * valid token. Resolves to 'triage' | 'moderator' | 'admin'; throws
 * ApiError (401 for an unknown token, 403 'norole' for service and
 * reporter_app tokens, which may not use the console).
 */
export async function whoami(token) {
  const res = await raw('GET', '/v1/whoami', { token });
  if (res.status === 401) throw new ApiError(401, 'unauthorized');
  if (res.status !== 200) throw new ApiError(res.status, 'unexpected');
  const me = await parse(res);
  const role = me && me.role;
  if (role === 'triage' || role === 'moderator' || role === 'admin') return role;
  throw new ApiError(403, 'norole');
}

/** Feature flags from the service's own API description (no token needed). */
let features = null;
export async function serverFeatures() {
  if (features) return features;
  features = { acknowledge: false };
  try {
    const res = await fetch('/openapi.yaml', { cache: 'no-store' });
    if (res.ok) {
      const y = await res.text();
      const m = /CaseEvent:[\s\S]*?type:\s*\{type:\s*string,\s*enum:\s*\[([^\]]*)\]/.exec(y);
      features.acknowledge = !!(m && /\backnowledge\b/.test(m[1]));
    }
  } catch (_) { /* no description: keep the defaults */ }
  return features;
}
