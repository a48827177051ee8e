// SPDX-License-Identifier: MIT
// queue.js -- the case queue: filters (status, category, surface, priority,
// age, account), counts per category, paging (PAGE rows in the DOM at any
// time), keyboard selection (j/k, Enter, n/p, /, r).
//
// Data: GET /v1/cases returns the open (and escalated) cases by priority as
// one array, at most 10,000; the service has no filter, offset or count
// parameters yet (docs/console.md, "What the service should add"). So the
// queue loads that one array (about 2 MB for 10,000 cases), keeps it in
// memory for STALE_MS, and filters, counts and pages it here; only the
// current page is ever drawn. Surfaces are not in the list rows, so the
// surface filter appears only when the rows carry `surface`/`surfaces`.

import { get, qs } from './api.js';
import { h, clear, fill, typingIn } from './dom.js';
import { t, label, fmtNum, fmtAge, fmtTime } from './i18n.js';

export const CATEGORIES = [
  'pii_exposure', 'pii_trade', 'impersonation_collection', 'unconsented_collection',
  'phishing_lure', 'malware_lure', 'exposure_threat', 'auth_key_extraction', 'illegal_pii_use',
];
const SURFACES = ['direct', 'group', 'open_chat', 'open_profile', 'board', 'profile'];
const PAGE = 50;
const MAX = 10000;
const STALE_MS = 20000;
const AGES = { '1h': 3600e3, '24h': 86400e3, '3d': 3 * 86400e3, '7d': 7 * 86400e3 };

/** Priority band of a case priority (the service's number). */
export function band(p) {
  return p >= 150 ? 'p1' : p >= 110 ? 'p2' : 'p3';
}

// Kept between visits so coming back from a case keeps the place.
const state = {
  filters: { status: '', category: '', surface: '', priority: '', age: '', account: '', sort: 'priority' },
  page: 0,
  sel: 0,
  data: null, // {status, rows, loadedAt, ms}
};

/** The next queue visit reloads; the rows stay for next/previous case. */
export function invalidateQueue() {
  if (state.data) state.data.loadedAt = 0;
}

/**
 * The case after (dir 1) or before (dir -1) id in the queue as last shown
 * (same filters and order), or null. Used by the case page's n/p keys.
 */
export function neighbour(id, dir) {
  if (!state.data) return null;
  const n = Date.now();
  const view = sorted(state.data.rows.filter((c) => matches(c, state.filters, n, false)), state.filters.sort);
  const i = view.findIndex((c) => String(c.id) === String(id));
  if (i < 0) return null;
  const c = view[i + dir];
  return c ? c.id : null;
}

function surfacesOf(c) {
  if (Array.isArray(c.surfaces)) return c.surfaces;
  return c.surface ? [c.surface] : [];
}

function matches(c, f, now, skipCategory) {
  if (!skipCategory && f.category && c.top_category !== f.category) return false;
  if (f.surface && !surfacesOf(c).includes(f.surface)) return false;
  if (f.priority && band(c.priority) !== f.priority) return false;
  if (f.age && now - c.opened_at < AGES[f.age]) return false;
  if (f.account && !String(c.account).toLowerCase().includes(f.account.toLowerCase())) return false;
  return true;
}

function sorted(rows, sort) {
  if (sort === 'oldest') return rows.slice().sort((a, b) => a.opened_at - b.opened_at || a.id - b.id);
  if (sort === 'newest') return rows.slice().sort((a, b) => b.opened_at - a.opened_at || b.id - a.id);
  return rows; // the service's order: priority, then id
}

async function load(force) {
  const f = state.filters;
  if (!force && state.data && state.data.status === f.status && Date.now() - state.data.loadedAt < STALE_MS) {
    return state.data;
  }
  const t0 = performance.now();
  const rows = await get(`/v1/cases${qs({ status: f.status, limit: MAX })}`);
  state.data = { status: f.status, rows: Array.isArray(rows) ? rows : [], loadedAt: Date.now(),
    ms: Math.round(performance.now() - t0) };
  return state.data;
}

export function renderQueue(root, { navigate }) {
  const f = state.filters;
  const now = () => Date.now();
  let view = []; // filtered, sorted rows
  let disposed = false;

  const sel = (name, options, labelKey) => {
    const id = `f-${name}`;
    const s = h('select', { id, name, on: { change: () => { f[name] = s.value; state.page = 0; state.sel = 0; if (name === 'status') refresh(false); else draw(); } } },
      options.map(([v, text]) => h('option', { value: v, selected: f[name] === v }, text)));
    return h('div.field', h('label', { for: id }, t(labelKey)), s);
  };

  const search = h('input', {
    id: 'f-account', type: 'search', value: f.account, placeholder: t('queue.search.ph'),
    autocomplete: 'off', spellcheck: false,
    on: { input: () => { f.account = search.value.trim(); state.page = 0; state.sel = 0; draw(); } },
  });
  const surfaceField = sel('surface', [['', t('queue.any')], ...SURFACES.map((s) => [s, label('surface', s)])], 'queue.surface');
  const filters = h('form.filters', { role: 'search', 'aria-label': t('queue.title'), on: { submit: (e) => e.preventDefault() } },
    sel('status', [['', t('queue.status.active')], ['open', t('queue.status.open')], ['escalated', t('queue.status.escalated')], ['closed', t('queue.status.closed')]], 'queue.status'),
    sel('category', [['', t('queue.any')], ...CATEGORIES.map((c) => [c, label('cat', c)]), ['other', label('cat', 'other')]], 'queue.category'),
    surfaceField,
    sel('priority', [['', t('queue.any')], ['p1', t('queue.prio.p1')], ['p2', t('queue.prio.p2')], ['p3', t('queue.prio.p3')]], 'queue.priority'),
    sel('age', [['', t('queue.any')], ...Object.keys(AGES).map((a) => [a, t(`queue.age.${a}`)])], 'queue.age'),
    sel('sort', [['priority', t('queue.sort.priority')], ['oldest', t('queue.sort.oldest')], ['newest', t('queue.sort.newest')]], 'queue.sort'),
    h('div.field.grow', h('label', { for: 'f-account' }, t('queue.search')), search));

  const counts = h('div.counts', { role: 'group', 'aria-label': t('queue.counts') });
  const info = h('p.muted.small', { 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h('table.grid.queue', { 'aria-label': t('queue.title') },
    h('thead', h('tr',
      h('th', { scope: 'col' }, t('queue.col.id')),
      h('th', { scope: 'col' }, t('queue.col.priority')),
      h('th', { scope: 'col' }, t('queue.col.category')),
      h('th', { scope: 'col' }, t('queue.col.account')),
      h('th.num', { scope: 'col' }, t('queue.col.reporters')),
      h('th.num', { scope: 'col' }, t('queue.col.score')),
      h('th', { scope: 'col' }, t('queue.col.age')),
      h('th', { scope: 'col' }, t('queue.col.status')))),
    tbody);
  const range = h('span.range', { 'aria-live': 'polite' });
  const prev = h('button.btn', { type: 'button', on: { click: () => page(-1) } }, '← ', t('queue.prev'));
  const next = h('button.btn', { type: 'button', on: { click: () => page(1) } }, t('queue.next'), ' →');
  const refreshBtn = h('button.btn', { type: 'button', on: { click: () => refresh(true) } }, t('queue.refresh'));
  const empty = h('p.empty', { hidden: true });
  const tableWrap = h('div.table-wrap', table);
  const pager = h('div.pager', prev, range, next);

  fill(root,
    h('div.page-head', h('h1', t('queue.title')),
      h('div.actions', h('span.muted.small', { 'aria-hidden': 'true' }, t('queue.keys')), refreshBtn)),
    filters, counts,
    tableWrap, empty, pager, info);

  function page(d) {
    const pages = Math.max(1, Math.ceil(view.length / PAGE));
    const p = Math.min(pages - 1, Math.max(0, state.page + d));
    if (p === state.page) return;
    state.page = p;
    state.sel = d > 0 ? 0 : PAGE - 1;
    draw();
  }

  function select(i) {
    const rows = tbody.rows;
    if (!rows.length) return;
    if (i >= rows.length) {
      if ((state.page + 1) * PAGE < view.length) return page(1);
      i = rows.length - 1;
    }
    if (i < 0) {
      if (state.page > 0) return page(-1);
      i = 0;
    }
    const old = rows[state.sel];
    if (old) { old.classList.remove('sel'); old.removeAttribute('aria-selected'); }
    state.sel = i;
    const r = rows[i];
    r.classList.add('sel');
    r.setAttribute('aria-selected', 'true');
    r.scrollIntoView({ block: 'nearest' });
  }

  function open() {
    const r = tbody.rows[state.sel];
    if (r) navigate(`#/case/${r.dataset.id}`);
  }

  function drawCounts(all) {
    const n = now();
    const per = new Map();
    let total = 0;
    for (const c of all) {
      if (!matches(c, f, n, true)) continue;
      total++;
      const k = c.top_category || 'other';
      per.set(k, (per.get(k) || 0) + 1);
    }
    const chip = (value, text, count) => h('button.chip', {
      type: 'button', 'aria-pressed': String(f.category === value),
      on: { click: () => { f.category = value; state.page = 0; state.sel = 0; document.getElementById('f-category').value = value; draw(); } },
    }, text, h('span.count', fmtNum(count)));
    fill(counts, chip('', t('queue.count.total'), total),
      ...[...per.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => chip(k, label('cat', k), v)));
  }

  function draw() {
    if (disposed || !state.data) return;
    const t0 = performance.now();
    const all = state.data.rows;
    const n = now();
    surfaceField.hidden = !all.some((c) => surfacesOf(c).length);
    view = sorted(all.filter((c) => matches(c, f, n, false)), f.sort);
    drawCounts(all);
    const pages = Math.max(1, Math.ceil(view.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    const from = state.page * PAGE;
    const slice = view.slice(from, from + PAGE);
    const frag = document.createDocumentFragment();
    for (const c of slice) {
      const b = band(c.priority);
      const tr = h('tr', { dataset: { id: c.id }, on: { click: (e) => { if (e.target.tagName !== 'A') { state.sel = [...tbody.rows].indexOf(tr); open(); } } } },
        h('td', h('a', { href: `#/case/${c.id}` }, `#${c.id}`)),
        h('td', h('span', { class: `prio prio-${b}`, title: t(`queue.prio.${b}`) }, t(`queue.prio.${b}`)), ' ', h('span.muted', String(c.priority))),
        h('td', c.top_category ? h('span', { class: `cat cat-${c.top_category}` }, label('cat', c.top_category)) : t('common.none')),
        h('td.mono', c.account),
        h('td.num', fmtNum(c.reporters)),
        h('td.num', c.score ? c.score.toFixed(2) : t('common.none')),
        h('td', { title: fmtTime(c.opened_at) }, fmtAge(c.opened_at, n)),
        h('td', h('span', { class: `status status-${c.status}` }, label('state', c.status))));
      frag.append(tr);
    }
    fill(tbody, frag);
    tableWrap.hidden = slice.length === 0;
    pager.hidden = view.length <= PAGE;
    empty.hidden = slice.length !== 0;
    empty.textContent = all.length ? t('queue.none') : t('queue.empty');
    range.textContent = view.length
      ? t('queue.range', { from: fmtNum(from + 1), to: fmtNum(from + slice.length), total: fmtNum(view.length) })
      : '';
    prev.disabled = state.page === 0;
    next.disabled = from + PAGE >= view.length;
    info.textContent = t('queue.loaded', { n: fmtNum(all.length), ms: state.data.ms })
      + (all.length >= MAX ? ` · ${t('queue.capped', { n: fmtNum(MAX) })}` : '');
    if (slice.length) select(Math.min(state.sel, slice.length - 1));
    // How long filtering, counting and drawing took (read by the e2e test).
    root.dataset.drawMs = (performance.now() - t0).toFixed(1);
  }

  async function refresh(force) {
    info.textContent = t('queue.loading');
    root.setAttribute('aria-busy', 'true');
    try {
      await load(force);
      draw();
    } finally {
      root.removeAttribute('aria-busy');
    }
  }

  function onKey(e) {
    if (typingIn(e)) {
      if (e.key === 'Escape') e.target.blur();
      if (e.key === 'Enter' && e.target === search) { e.preventDefault(); search.blur(); }
      return false;
    }
    switch (e.key) {
      case 'j': case 'ArrowDown': select(state.sel + 1); return true;
      case 'k': case 'ArrowUp': select(state.sel - 1); return true;
      case 'Enter':
        if (e.target instanceof Element && e.target.closest('button, a, summary')) return false;
        open();
        return true;
      case 'o': open(); return true;
      case 'n': page(1); return true;
      case 'p': page(-1); return true;
      case 'r': refresh(true); return true;
      case '/': search.focus(); search.select(); return true;
      default: return false;
    }
  }

  const ready = refresh(false);
  return { onKey, ready, dispose: () => { disposed = true; } };
}
