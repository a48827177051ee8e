// SPDX-License-Identifier: MIT
// lists.js -- the other queues: appeals (moderators resolve them: uphold,
// overturn, modify the length), rights-infringement notices (moderators
// blind, restore or delete), and the audit log for admins (paged by
// sequence number, with a check of the hash chain).

import { get, post, qs, ApiError } from './api.js';
import { h, clear, fill, announce, modal } from './dom.js';
import { t, label, fmtTime, fmtNum } from './i18n.js';

function errText(e) {
  if (e instanceof ApiError && e.status === 403) return t('common.forbidden');
  return t('common.error', { msg: e && e.message ? e.message : String(e) });
}

function stateSelect(id, states, value, onChange) {
  const s = h('select', { id, on: { change: () => onChange(s.value) } },
    states.map((v) => h('option', { value: v, selected: v === value }, label('state', v))));
  return h('div.field', h('label', { for: id }, t('appeals.state')), s);
}

function table(caption, cols, rows) {
  return h('div.table-wrap', h('table.grid', { 'aria-label': caption },
    h('thead', h('tr', cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', rows)));
}

// ------------------------------------------------------------- appeals
const appealState = { state: 'open' };

export function renderAppeals(root, { role }) {
  const isMod = role === 'moderator' || role === 'admin';
  const body = h('div');
  fill(root, h('div.page-head', h('h1', t('appeals.title'))),
    h('form.filters', { on: { submit: (e) => e.preventDefault() } },
      stateSelect('ap-state', ['open', 'upheld', 'overturned', 'modified', 'all'], appealState.state, (v) => { appealState.state = v; load(); })),
    body);

  async function resolve(a, outcome) {
    let duration;
    if (outcome === 'modified') {
      duration = await modal(t('appeals.modified'), (close) => {
        const inp = h('input#ap-dur', { type: 'text', required: true, pattern: '[0-9]+[dhms]', autofocus: true, value: '3d' });
        return h('form', { on: { submit: (e) => { e.preventDefault(); if (inp.checkValidity()) close(inp.value); } } },
          h('div.field', h('label', { for: 'ap-dur' }, t('appeals.newduration')), inp),
          h('div.dialog-actions', h('button.btn', { type: 'button', on: { click: () => close() } }, t('common.cancel')),
            h('button.btn.btn-primary', { type: 'submit' }, t('common.save'))));
      });
      if (!duration) return;
    }
    try {
      const out = await post(`/v1/appeals/${a.id}/resolve`, duration ? { outcome, duration } : { outcome });
      announce(t('appeals.done', { id: a.id, state: label('state', out.state) }), 'ok');
      load();
    } catch (e) {
      announce(errText(e), 'error');
    }
  }

  async function load() {
    fill(body, h('p.muted', t('common.loading')));
    let rows;
    try {
      rows = await get(`/v1/appeals${qs({ state: appealState.state, limit: 500 })}`);
    } catch (e) {
      fill(body, h('p.error', { role: 'alert' }, errText(e)));
      return;
    }
    if (!rows.length) { fill(body, h('p.empty', t('appeals.none'))); return; }
    fill(body, table(t('appeals.title'),
      [t('appeals.col.id'), t('appeals.col.case'), t('appeals.col.account'), t('appeals.col.filed'),
        t('appeals.col.statement'), t('appeals.col.decider'), t('appeals.col.state'), isMod ? t('appeals.resolve') : null].filter(Boolean),
      rows.map((a) => h('tr',
        h('td', `#${a.id}`, h('div.muted.small', `${t('appeals.col.decision')} ${a.decision_id}`)),
        h('td', h('a', { href: `#/case/${a.case_id}` }, `#${a.case_id}`)),
        h('td.mono', a.account),
        h('td', fmtTime(a.filed_at)),
        h('td.statement', a.statement ?? t('common.none')),
        h('td.mono.small', a.decided_by ?? t('common.none')),
        h('td', h('span', { class: `status status-${a.state}` }, label('state', a.state))),
        isMod ? h('td.row-actions', a.state === 'filed'
          ? ['upheld', 'overturned', 'modified'].map((o) => h('button.btn.btn-small', { type: 'button', on: { click: () => resolve(a, o) } }, t(`appeals.${o}`)))
          : t('common.none')) : null))));
  }
  load();
  return {};
}

// ------------------------------------------------------------- notices
const noticeState = { state: 'open' };

export function renderNotices(root, { role }) {
  const isMod = role === 'moderator' || role === 'admin';
  const body = h('div');
  fill(root, h('div.page-head', h('h1', t('notices.title'))),
    h('form.filters', { on: { submit: (e) => e.preventDefault() } },
      stateSelect('nt-state', ['open', 'requested', 'blinded', 'restored', 'deleted', 'withdrawn', 'all'], noticeState.state, (v) => { noticeState.state = v; load(); })),
    body);

  async function step(n, ev) {
    try {
      const out = await post(`/v1/notices/${n.id}/events`, ev);
      announce(t('notices.done', { id: n.id, state: label('state', out.state) }), 'ok');
      load();
    } catch (e) {
      announce(errText(e), 'error');
    }
  }

  async function load() {
    fill(body, h('p.muted', t('common.loading')));
    let rows;
    try {
      rows = await get(`/v1/notices${qs({ state: noticeState.state, limit: 500 })}`);
    } catch (e) {
      fill(body, h('p.error', { role: 'alert' }, errText(e)));
      return;
    }
    if (!rows.length) { fill(body, h('p.empty', t('notices.none'))); return; }
    fill(body, table(t('notices.title'),
      [t('notices.col.id'), t('notices.col.requester'), t('notices.col.object'), t('notices.col.poster'), t('notices.col.days'),
        t('notices.col.created'), t('notices.col.deadline'), t('notices.col.state'), isMod ? t('appeals.resolve') : null].filter(Boolean),
      rows.map((n) => h('tr',
        h('td', `#${n.id}`),
        h('td.mono', n.requester),
        h('td.mono', n.object),
        h('td.mono', n.poster),
        h('td.num', fmtNum(n.requested_days)),
        h('td', fmtTime(n.created_at)),
        h('td', n.deadline ? fmtTime(n.deadline) : t('common.none')),
        h('td', h('span', { class: `status status-${n.state}` }, label('state', n.state))),
        isMod ? h('td.row-actions',
          n.state === 'requested' ? h('button.btn.btn-small', { type: 'button', on: { click: () => step(n, { type: 'blind' }) } }, t('notices.blind')) : null,
          n.state === 'requested' || n.state === 'blinded' ? [
            h('button.btn.btn-small', { type: 'button', on: { click: () => step(n, { type: 'resolve', outcome: 'restored' }) } }, t('notices.restore')),
            h('button.btn.btn-small', { type: 'button', on: { click: () => step(n, { type: 'resolve', outcome: 'deleted' }) } }, t('notices.delete')),
          ] : null) : null))));
  }
  load();
  return {};
}

// --------------------------------------------------------------- audit
const PAGE = 100;

/**
 * The newest sequence number. GET /v1/audit only reads forward from
 * `after`, so this finds the end with about 2·log2(N) one-entry reads
 * (exponential probe, then bisection) to show the newest entries first.
 */
async function lastSeq() {
  const after = async (x) => {
    const r = await get(`/v1/audit${qs({ after: x, limit: 1 })}`);
    return r.length ? r[0].seq : 0;
  };
  if (!(await after(0))) return 0;
  let lo = 0, hi = 1;
  while (await after(hi)) { lo = hi; hi *= 2; }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await after(mid)) lo = mid; else hi = mid;
  }
  return after(lo);
}

export function renderAudit(root) {
  const body = h('div');
  const verifyOut = h('span', { role: 'status' });
  let last = 0;
  let from = 0; // the page shows seq in (from, from + PAGE]
  fill(root,
    h('div.page-head', h('h1', t('audit.title')),
      h('div.actions', verifyOut, h('button.btn', { type: 'button', on: { click: verify } }, t('audit.verify')))),
    body);

  async function verify() {
    try {
      const v = await get('/v1/audit/verify');
      verifyOut.className = v.ok ? 'ok' : 'error';
      verifyOut.textContent = v.ok ? t('audit.ok', { n: fmtNum(v.entries) }) : t('audit.bad', { seq: v.bad_seq, n: fmtNum(v.verified) });
    } catch (e) {
      announce(errText(e), 'error');
    }
  }

  async function load() {
    fill(body, h('p.muted', t('common.loading')));
    let rows;
    try {
      rows = await get(`/v1/audit${qs({ after: from, limit: PAGE })}`);
    } catch (e) {
      fill(body, h('p.error', { role: 'alert' }, errText(e)));
      return;
    }
    const older = h('button.btn', { type: 'button', disabled: from <= 0, on: { click: () => { from = Math.max(0, from - PAGE); load(); } } }, '← ', t('audit.more'));
    const newer = h('button.btn', { type: 'button', disabled: from + PAGE >= last, on: { click: () => { from += PAGE; load(); } } }, t('audit.newer'), ' →');
    fill(body,
      rows.length ? table(t('audit.title'),
        [t('audit.col.seq'), t('audit.col.ts'), t('audit.col.actor'), t('audit.col.role'), t('audit.col.action'), t('audit.col.object'), t('audit.col.reason')],
        rows.slice().reverse().map((a) => h('tr',
          h('td.num', String(a.seq)),
          h('td', fmtTime(a.ts)),
          h('td.mono', a.actor),
          h('td', label('role', a.role)),
          h('td', h('code', a.action)),
          h('td.mono', `${a.object_type}:${a.object_id}`),
          h('td', a.reason ?? t('common.none'))))) : h('p.empty', t('audit.none')),
      h('div.pager', older, newer));
  }

  (async () => {
    try {
      last = await lastSeq();
    } catch (e) {
      fill(body, h('p.error', { role: 'alert' }, errText(e)));
      return;
    }
    from = Math.max(0, last - PAGE);
    load();
  })();
  return {};
}
