// SPDX-License-Identifier: MIT
// case.js -- one case: its reports and evidence (masked by default, the
// detector's findings marked), "reveal" (asks for a reason; the service
// writes the audit entry before it answers), the account's history, and
// the decision panel. What the panel offers follows the role: moderators
// and admins decide (with the escalation ladder's proposal filled in and
// editable), triage only closes without action or escalates; the service
// refuses the rest whatever the page sends.
//
// Unmasked evidence is held only in this view's closure; leaving the page
// or "mask again" drops it.

import { get, post, qs, ApiError } from './api.js';
import { h, clear, fill, announce, modal, typingIn } from './dom.js';
import { t, label, fmtNum, fmtTime, fmtAge, fmtDuration } from './i18n.js';
import { maskedNodes, unmaskedNodes, fmtScore } from './evidence.js';
import { CATEGORIES, band, invalidateQueue, neighbour } from './queue.js';

const SCOPES = ['message_send', 'openchat_search', 'openchat_access', 'open_profile',
  'post_visibility', 'account_creation', 'service'];
const ADMIN_SCOPES = new Set(['account_creation']);

function errText(e) {
  if (e instanceof ApiError) {
    if (e.status === 403) return t('common.forbidden');
    if (e.status === 404) return t('common.notfound');
    return t('common.error', { msg: e.message });
  }
  return t('common.error', { msg: String(e && e.message ? e.message : e) });
}

function dl(pairs) {
  return h('dl.facts', pairs.filter(Boolean).map(([k, v]) => [h('dt', k), h('dd', v)]));
}

export function renderCase(root, { id, navigate, role, features }) {
  const isMod = role === 'moderator' || role === 'admin';
  const isAdmin = role === 'admin';
  let disposed = false;
  let c = null; // the case (masked)
  let revealed = null; // the case, unmasked, after a reveal
  let verdicts = new Map(); // "reportId:ord" -> scan result of unmasked text

  const reportsBox = h('section.reports', { 'aria-labelledby': 'reports-h' });
  const historyBox = h('section.panel.history', { 'aria-labelledby': 'history-h' });
  const decideBox = h('section.panel.decide', { 'aria-labelledby': 'decide-h' });
  const head = h('div.case-head');
  const banner = h('div.banner', { hidden: true, role: 'status' });

  const prevId = neighbour(id, -1), nextId = neighbour(id, 1);
  fill(root,
    h('nav.crumb', { 'aria-label': t('case.title', { id }) },
      h('a', { href: '#/queue' }, '← ', t('case.back')), h('kbd.hint', 'u'),
      h('span.spacer'),
      prevId ? h('a', { href: `#/case/${prevId}`, rel: 'prev' }, '‹ ', t('case.prev')) : null,
      prevId ? h('kbd.hint', 'p') : null,
      nextId ? h('a#next-case', { href: `#/case/${nextId}`, rel: 'next' }, t('case.next'), ' ›') : null,
      nextId ? h('kbd.hint', 'n') : null),
    head, banner,
    h('div.case-grid', h('div.case-main', reportsBox), h('aside.case-side', decideBox, historyBox)));
  head.append(h('h1', t('case.title', { id })), h('p.muted', t('common.loading')));

  // ------------------------------------------------------------ header
  function drawHead() {
    const b = band(c.priority);
    fill(head,
      h('div.title-row',
        h('h1', t('case.title', { id: c.id })),
        h('span', { class: `status status-${c.status}` }, label('state', c.status)),
        h('span', { class: `prio prio-${b}` }, t(`queue.prio.${b}`), ' · ', String(c.priority))),
      dl([
        [t('case.account'), h('span.mono', c.account)],
        [t('case.category'), c.top_category ? label('cat', c.top_category) : t('common.none')],
        [t('case.reporters'), fmtNum(c.reporters)],
        [t('case.score'), c.score ? c.score.toFixed(2) : t('common.none')],
        [t('case.opened'), `${fmtTime(c.opened_at)} (${fmtAge(c.opened_at, Date.now())})`],
      ]));
  }

  // ----------------------------------------------------------- reports
  function drawReports() {
    const data = revealed || c;
    const revealBtn = isMod && !revealed
      ? h('button.btn.btn-warn#reveal', { type: 'button', on: { click: reveal } }, t('case.reveal'), h('kbd.hint', 'v'))
      : null;
    // Reports a decision already covered (actioned, dismissed) go below.
    const open = data.reports.filter((r) => r.status === 'open').reverse();
    const done = data.reports.filter((r) => r.status !== 'open').reverse();
    const remaskBtn = revealed
      ? h('button.btn#remask', { type: 'button', on: { click: remask } }, t('case.remask'))
      : null;
    fill(reportsBox,
      h('div.section-head', h('h2#reports-h', t('case.reports', { n: data.reports.length })),
        h('div.actions', revealed ? null : h('span.masked-note', t('case.masked')), revealBtn, remaskBtn)),
      open.map((r) => drawReport(r, !!revealed)),
      done.length ? h('details.earlier', { open: !open.length },
        h('summary', t('case.earlier', { n: done.length })),
        done.map((r) => drawReport(r, !!revealed))) : null);
  }

  function drawReport(r, unmasked) {
    return h('article.report', { 'aria-labelledby': `rep-${r.id}` },
      h('header.report-head',
        h('h3', { id: `rep-${r.id}` }, t('case.report', { id: r.id })),
        h('span', { class: `cat cat-${r.reason}` }, label('cat', r.reason)),
        h('span.muted', label('channel', r.channel)),
        r.status !== 'open' ? h('span', { class: `status status-${r.status}` }, label('state', r.status)) : null),
      dl([
        [t('case.reporter'), h('span.mono', r.reporter)],
        [t('case.subject'), h('span.mono', `${r.subject_type}:${r.subject_id}`)],
        [t('case.filed'), fmtTime(r.created_at)],
        r.comment != null && [t('case.comment'), h('span.comment', r.comment)],
      ]),
      h('div.evidence-list',
        h('h4', t('case.evidence')),
        r.evidence.length ? r.evidence.map((ev) => drawEvidence(r, ev, unmasked)) : h('p.muted', t('case.noevidence'))));
  }

  function drawEvidence(r, ev, unmasked) {
    const findings = Array.isArray(ev.findings) ? ev.findings : [];
    let body;
    if (ev.purged_at != null || ev.text == null) body = h('p.muted', t('case.purged'));
    else body = h('p.msg', { class: unmasked ? 'msg unmasked' : 'msg masked', lang: 'ko' },
      unmasked ? unmaskedNodes(ev.text, findings) : maskedNodes(ev.text, findings));
    const verdict = verdicts.get(`${r.id}:${ev.ord}`);
    return h('figure.evidence',
      h('figcaption.ev-meta',
        ev.surface && h('span.tag', label('surface', ev.surface)),
        ev.sender && h('span', t('case.sender'), ' ', h('span.mono', ev.sender)),
        ev.room && h('span', t('case.room'), ' ', h('span.mono', ev.room)),
        ev.sent_at ? h('span', fmtTime(ev.sent_at)) : null),
      body,
      h('div.findings',
        h('span.sr-only', t('case.findings')),
        findings.length
          ? h('ul.chips', { 'aria-label': t('case.findings') }, findings.map((f) => h('li', { class: `chip-finding chip-${f.class}` },
            h('strong', f.type), ' ', h('span.muted', `${f.class ?? ''} · ${fmtScore(f.score)}`))))
          : h('span.muted.small', t('case.nofindings'))),
      verdict ? drawVerdict(verdict) : null);
  }

  function drawVerdict(v) {
    const list = (v.violations || []).filter((x) => !x.shadow);
    return h('div.verdict', h('h5', t('case.violations')),
      list.length
        ? h('ul.violations', list.map((x) => h('li',
          h('span', { class: `cat cat-${x.category}` }, label('cat', x.category)),
          ' ', h('span.muted', `${fmtScore(x.score)} · ${t('case.violation.action')}: ${x.action ?? ''}`),
          h('div.reasons', h('span.muted', t('case.violation.reasons'), ': '),
            (x.reasons || []).map((why) => h('code.reason', why))))))
        : h('p.muted.small', t('case.violations.none')));
  }

  async function reveal() {
    const reason = await modal(t('case.reveal.title'), (close) => {
      const ta = h('textarea#reveal-reason', { rows: 3, 'aria-required': 'true', maxlength: 1000, autofocus: true,
        placeholder: t('case.reveal.reason.hint'), 'aria-describedby': 'reveal-lead reveal-err' });
      const err = h('p.error#reveal-err', { 'aria-live': 'assertive' });
      const form = h('form', { method: 'dialog', on: { submit: (e) => {
        e.preventDefault();
        const v = ta.value.trim();
        if (v.length < 5) { err.textContent = t('case.reveal.short'); ta.focus(); return; }
        close(v);
      } } },
      h('p#reveal-lead', t('case.reveal.lead')),
      h('div.field', h('label', { for: 'reveal-reason' }, t('case.reveal.reason')), ta), err,
      h('div.dialog-actions',
        h('button.btn', { type: 'button', on: { click: () => close(undefined) } }, t('common.cancel')),
        h('button.btn.btn-warn', { type: 'submit' }, t('case.reveal.submit'))));
      return form;
    });
    if (!reason || disposed) return;
    try {
      revealed = await post(`/v1/cases/${id}/reveal`, { reason });
    } catch (e) {
      announce(errText(e), 'error');
      return;
    }
    if (disposed) { revealed = null; return; }
    banner.hidden = false;
    banner.className = 'banner banner-warn';
    banner.textContent = t('case.revealed');
    drawReports();
    // The policy's verdict on each unmasked message, with its reasons.
    const jobs = [];
    for (const r of revealed.reports) {
      for (const ev of r.evidence) {
        if (ev.text == null) continue;
        jobs.push(post('/v1/scan', { text: ev.text, surface: ev.surface || 'direct' })
          .then((res) => verdicts.set(`${r.id}:${ev.ord}`, res))
          .catch(() => {}));
      }
    }
    await Promise.all(jobs);
    if (!disposed && revealed) drawReports();
  }

  function remask() {
    revealed = null;
    verdicts = new Map();
    banner.hidden = true;
    drawReports();
  }

  // ----------------------------------------------------------- history
  // The stored state lags the clock (the scheduler records expiry later):
  // what counts is the window, as the sanction check sees it.
  function sanctionState(s) {
    let st = s.state;
    if (s.applies_now) st = 'active';
    else if ((st === 'active' || st === 'scheduled') && s.ends_at != null && s.ends_at <= Date.now()) st = 'expired';
    return h('span', { class: `status status-${st}${s.applies_now ? ' live' : ''}` },
      s.applies_now ? t('case.appliesnow') : label('state', st));
  }

  function drawHistory(hist) {
    const active = hist.sanctions.filter((s) => s.applies_now);
    const other = hist.sanctions.filter((s) => !s.applies_now);
    const sanction = (s) => h('li', { class: s.applies_now ? 'sanction live' : 'sanction' },
      h('strong', label('scope', s.scope)),
      s.container ? h('span.mono', ` @${s.container}`) : null,
      s.object ? h('span.mono', ` ${s.object}`) : null,
      ' ', sanctionState(s),
      h('div.muted.small', s.ends_at == null ? t('case.permanent') : t('case.until', { t: fmtTime(s.ends_at) })));
    const others = hist.cases.filter((x) => x.id !== c.id);
    fill(historyBox,
      h('h2#history-h', t('case.history')),
      h('div.strikes', h('span.big', String(hist.active_strikes)), h('span', t('case.strikes'))),
      h('h3', t('case.sanctions')),
      hist.sanctions.length ? h('ul.plain', active.map(sanction), other.map(sanction)) : h('p.muted.small', t('case.nosanctions')),
      h('h3', t('case.decisions')),
      hist.decisions.length
        ? h('ul.plain', hist.decisions.slice().reverse().map((d) => h('li.decision',
          h('span', { class: `status status-${d.outcome}` }, t(`case.outcome.${d.outcome}`)),
          ' ', (d.categories || []).map((k) => label('cat', k)).join(', '),
          d.strikes ? h('span.muted', ` · +${d.strikes}`) : null,
          d.automated ? h('span.tag', t('common.automated')) : null,
          h('div.muted.small', fmtTime(d.created_at), ' · ', h('a', { href: `#/case/${d.case_id}` }, `#${d.case_id}`),
            ' · ', label('role', d.decided_role), d.appeal_state ? ` · ${t('nav.appeals')}: ${label('state', d.appeal_state)}` : ''))))
        : h('p.muted.small', t('case.nodecisions')),
      others.length ? [h('h3', t('case.othercases')),
        h('ul.plain.inline', others.map((x) => h('li', h('a', { href: `#/case/${x.id}` }, `#${x.id}`), ' ', h('span.muted.small', label('state', x.status)))))] : null);
  }

  // ----------------------------------------------------------- decision
  function drawDecide(proposal) {
    fill(decideBox, h('h2#decide-h', t('case.decision.title')));
    if (c.status === 'closed') {
      decideBox.append(h('p.muted', t('case.closed.note')));
      return;
    }
    const esc = escalateForm();
    if (!isMod) {
      decideBox.append(h('p.note', t('case.triage.note')), closeForm(), esc);
      return;
    }
    decideBox.append(decisionForm(proposal), esc);
  }

  function ackButton() {
    if (!features.acknowledge) return null;
    return h('button.btn', { type: 'button', on: { click: () => event({ type: 'acknowledge' }, 'case.acknowledged') } }, t('case.acknowledge'));
  }

  function closeForm() {
    const note = h('textarea#close-note', { rows: 2, maxlength: 2000 });
    return h('form.stack', { on: { submit: (e) => { e.preventDefault(); decide({ type: 'decide', outcome: 'no_violation', note: note.value.trim() || undefined }); } } },
      h('div.field', h('label', { for: 'close-note' }, t('case.note')), note),
      h('div.actions', h('button.btn.btn-primary#close-case', { type: 'submit' }, t('case.close')), ackButton()));
  }

  function escalateForm() {
    const note = h('input#esc-note', { type: 'text', maxlength: 2000 });
    const disabled = c.status === 'escalated';
    return h('form.stack.escalate', { on: { submit: (e) => { e.preventDefault(); event({ type: 'escalate', note: note.value.trim() || undefined }, 'case.escalated'); } } },
      h('div.field', h('label', { for: 'esc-note' }, t('case.escalate.note')), note),
      h('div.actions', h('button.btn#escalate', { type: 'submit', disabled }, t('case.escalate'))));
  }

  function sanctionRow(s) {
    const n = Math.random().toString(36).slice(2, 8);
    const scope = h('select', { id: `sc-${n}`, class: 'scope' }, SCOPES.filter((x) => isAdmin || !ADMIN_SCOPES.has(x))
      .map((x) => h('option', { value: x, selected: x === s.scope }, label('scope', x))));
    let amount = 1, unit = 'd';
    if (!s.duration_ms) { unit = isAdmin ? 'permanent' : 'd'; amount = isAdmin ? 1 : 30; }
    else if (s.duration_ms % 86400e3 === 0) { amount = s.duration_ms / 86400e3; unit = 'd'; }
    else { amount = Math.max(1, Math.round(s.duration_ms / 3600e3)); unit = 'h'; }
    const num = h('input', { id: `du-${n}`, class: 'amount', type: 'number', min: 1, max: 36500, value: amount, required: true, inputmode: 'numeric' });
    const unitSel = h('select', { id: `un-${n}`, class: 'unit', 'aria-label': t('case.duration') },
      ['h', 'd', ...(isAdmin ? ['permanent'] : [])].map((u) => h('option', { value: u, selected: u === unit }, t(`case.unit.${u}`))));
    const room = h('input', { id: `rm-${n}`, class: 'room', type: 'text', maxlength: 256, value: s.container || '' });
    const obj = h('input', { id: `ob-${n}`, class: 'object', type: 'text', maxlength: 256, value: s.object || '' });
    const objField = h('div.field', h('label', { for: `ob-${n}` }, t('case.objectopt')), obj);
    const sync = () => { num.disabled = unitSel.value === 'permanent'; objField.hidden = scope.value !== 'post_visibility'; obj.required = !objField.hidden; };
    scope.addEventListener('change', sync);
    unitSel.addEventListener('change', sync);
    const row = h('fieldset.sanction-row',
      h('legend', t('case.sanction')),
      h('div.field', h('label', { for: `sc-${n}` }, t('case.scope')), scope),
      h('div.field.duration', h('label', { for: `du-${n}` }, t('case.duration')), h('div.inline', num, unitSel)),
      h('div.field', h('label', { for: `rm-${n}` }, t('case.roomopt')), room),
      objField,
      h('button.btn.btn-small.remove', { type: 'button', on: { click: () => { row.remove(); } } }, t('case.remove')));
    row.read = () => {
      const o = { scope: scope.value, duration: unitSel.value === 'permanent' ? 'permanent' : `${Math.floor(Number(num.value))}${unitSel.value}` };
      if (room.value.trim()) o.room = room.value.trim();
      if (scope.value === 'post_visibility' && obj.value.trim()) o.object = obj.value.trim();
      return o;
    };
    sync();
    return row;
  }

  function decisionForm(initial) {
    const outcome = ['violation', 'no_violation'].map((v) => h('label.radio',
      h('input', { type: 'radio', name: 'outcome', value: v, checked: v === 'violation', on: { change: sync } }), ' ', t(`case.outcome.${v}`)));
    const top = c.top_category && CATEGORIES.includes(c.top_category) ? c.top_category : null;
    const cats = CATEGORIES.map((k) => h('label.check',
      h('input', { type: 'checkbox', name: 'category', value: k, checked: k === top, on: { change: reprop } }), ' ', label('cat', k)));
    const severity = h('select#severity', { on: { change: reprop } },
      ['low', 'medium', 'high'].map((s) => h('option', { value: s, selected: s === 'medium' }, t(`case.sev.${s}`))));
    const proposalBox = h('div.proposal', { 'aria-live': 'polite' });
    const rows = h('div.sanctions');
    const note = h('textarea#decide-note', { rows: 2, maxlength: 2000 });
    const noSanction = h('p.muted.small', t('case.nosanction.note'));
    let proposal = initial;

    const violationPart = h('div.violation-part',
      h('fieldset.cats', h('legend', t('case.categories')), h('div.check-grid', cats)),
      h('div.field', h('label', { for: 'severity' }, t('case.severity')), severity),
      proposalBox,
      rows, noSanction,
      h('div.actions',
        h('button.btn.btn-small', { type: 'button', on: { click: () => { rows.append(sanctionRow({ scope: 'message_send', duration_ms: 86400e3 })); syncRows(); } } }, '+ ', t('case.addsanction')),
        h('button.btn.btn-small', { type: 'button', on: { click: () => fillFromProposal() } }, t('case.useproposal'))));

    function syncRows() { noSanction.hidden = rows.children.length > 0; }
    new MutationObserver(syncRows).observe(rows, { childList: true });

    function drawProposal() {
      clear(proposalBox);
      if (!proposal) return;
      fill(proposalBox, h('h3', t('case.proposal')),
        h('p', t('case.proposal.text', { now: proposal.strikes_now, added: proposal.strikes_added, total: proposal.strikes_total }),
          proposal.sanction ? [' → ', h('strong', label('scope', proposal.sanction.scope)), ' ', fmtDuration(proposal.sanction.duration_ms)] : null),
        !proposal.sanction ? h('p.muted.small', t('case.proposal.none')) : null,
        proposal.needs_admin && !isAdmin ? h('p.warn.small', t('case.proposal.admin')) : null);
    }

    function fillFromProposal() {
      clear(rows);
      const s = proposal && proposal.sanction;
      if (s && (isAdmin || !proposal.needs_admin)) rows.append(sanctionRow(s));
      syncRows();
    }

    let seq = 0;
    async function reprop() {
      const chosen = cats.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      if (!chosen.length) { proposal = null; drawProposal(); return; }
      const my = ++seq;
      try {
        const p = await get(`/v1/cases/${id}/proposal${qs({ categories: chosen.join(','), severity: severity.value })}`);
        if (my !== seq || disposed) return;
        proposal = p;
        drawProposal();
        fillFromProposal();
      } catch (e) {
        if (my === seq) announce(errText(e), 'error');
      }
    }

    function sync() {
      const v = form.querySelector('input[name=outcome]:checked').value;
      violationPart.hidden = v !== 'violation';
    }

    const form = h('form.stack#decide-form', { on: { submit: (e) => {
      e.preventDefault();
      const v = form.querySelector('input[name=outcome]:checked').value;
      const body = { type: 'decide', outcome: v, note: note.value.trim() || undefined };
      if (v === 'violation') {
        body.categories = cats.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
        if (!body.categories.length) { announce(t('case.categories'), 'error'); return; }
        body.severity = severity.value;
        const list = [...rows.children].map((r) => r.read());
        if (list.length) body.sanctions = list;
      }
      decide(body);
    } } },
    h('fieldset.outcome', h('legend', t('case.outcome')), h('div.inline', outcome)),
    violationPart,
    h('div.field', h('label', { for: 'decide-note' }, t('case.note')), note),
    h('div.actions', h('button.btn.btn-primary#decide', { type: 'submit' }, t('case.decide')), ackButton()));

    drawProposal();
    fillFromProposal();
    return form;
  }

  async function decide(body) {
    const buttons = decideBox.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const out = await post(`/v1/cases/${id}/events`, body);
      announce(out.proposed ? t('case.decided.proposed', { id: out.decision_id })
        : t('case.decided', { id: out.decision_id, strikes: out.strikes_total }), 'ok');
      invalidateQueue();
      await loadAll();
    } catch (e) {
      announce(errText(e), 'error');
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  async function event(body, okKey) {
    try {
      await post(`/v1/cases/${id}/events`, body);
      announce(t(okKey), 'ok');
      invalidateQueue();
      await loadAll();
    } catch (e) {
      announce(errText(e), 'error');
    }
  }

  // -------------------------------------------------------------- load
  async function loadAll() {
    try {
      c = await get(`/v1/cases/${id}`);
    } catch (e) {
      fill(head, h('h1', t('case.title', { id })), h('p.error', { role: 'alert' }, errText(e)));
      return;
    }
    if (disposed) return;
    revealed = null;
    verdicts = new Map();
    banner.hidden = true;
    drawHead();
    drawReports();
    const [hist, prop] = await Promise.all([
      get(`/v1/accounts/${encodeURIComponent(c.account)}/history`).catch(() => null),
      c.status !== 'closed' && c.top_category && CATEGORIES.includes(c.top_category)
        ? get(`/v1/cases/${id}/proposal`).catch(() => null) : null,
    ]);
    if (disposed) return;
    if (hist) drawHistory(hist);
    drawDecide(prop);
  }

  function onKey(e) {
    if (typingIn(e)) return false;
    if (e.key === 'u') { navigate('#/queue'); return true; }
    if (e.key === 'n' && nextId) { navigate(`#/case/${nextId}`); return true; }
    if (e.key === 'p' && prevId) { navigate(`#/case/${prevId}`); return true; }
    if (e.key === 'v' && isMod && !revealed && c) { reveal(); return true; }
    return false;
  }

  const ready = loadAll();
  return { onKey, ready, dispose: () => { disposed = true; revealed = null; verdicts = new Map(); } };
}
