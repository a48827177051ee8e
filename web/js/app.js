// SPDX-License-Identifier: MIT
// app.js -- the console's entry point: the sign-in page, the shell (top
// bar, navigation, language switch), the hash router (#/queue,
// #/case/ID, #/appeals, #/notices, #/audit) and the global keys (? help,
// g then q/a/n/l to move between pages). Each page is a render function
// that may return {onKey, dispose, ready}.

import { whoami, saveSession, endSession, session, setUnauthorizedHandler, serverFeatures, ApiError } from './api.js';
import { h, clear, fill, announce, modal, typingIn } from './dom.js';
import { t, getLang, setLang, LANGS, label } from './i18n.js';
import { renderQueue } from './queue.js';
import { renderCase } from './case.js';
import { renderAppeals, renderNotices, renderAudit } from './lists.js';

const app = document.getElementById('app');
let current = null; // the page's {onKey, dispose}
let gPending = false;

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function langSwitch() {
  const s = h('select#lang', { on: { change: () => { setLang(s.value); route(); } } },
    LANGS.map((l) => h('option', { value: l, selected: l === getLang() }, l === 'ko' ? '한국어' : 'English')));
  return h('div.lang', h('label.sr-only', { for: 'lang' }, t('nav.lang')), s);
}

// ------------------------------------------------------------- sign in
function renderSignIn(message) {
  document.title = `${t('signin.title')} · ${t('app.title')}`;
  const input = h('input#token', { type: 'password', autocomplete: 'off', spellcheck: false, required: true,
    'aria-describedby': 'token-hint signin-err', autofocus: true, inputmode: 'latin' });
  const err = h('p.error#signin-err', { 'aria-live': 'assertive' }, message || '');
  const btn = h('button.btn.btn-primary', { type: 'submit' }, t('signin.submit'));
  const form = h('form.signin-card', { on: { submit: async (e) => {
    e.preventDefault();
    const tok = input.value.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(tok)) { err.textContent = t('signin.bad'); input.focus(); return; }
    btn.disabled = true;
    err.textContent = '';
    try {
      const role = await whoami(tok);
      saveSession(tok, role);
      input.value = '';
      navigate('#/queue');
    } catch (ex) {
      err.textContent = ex instanceof ApiError
        ? (ex.status === 401 ? t('signin.unknown') : ex.code === 'norole' ? t('signin.norole') : t('common.error', { msg: ex.message }))
        : t('signin.neterr');
      btn.disabled = false;
      input.focus();
    }
  } } },
  h('div.brand.big', h('span.logo', { 'aria-hidden': 'true' }, 'pg'), t('app.title')),
  h('h1', t('signin.title')),
  h('p.muted', t('signin.lead')),
  h('div.field', h('label', { for: 'token' }, t('signin.token')), input, h('p.hint#token-hint', t('signin.token.hint'))),
  err,
  h('div.actions.spread', btn, langSwitch()));
  fill(app, h('main.signin#main', form));
  input.focus();
}

// --------------------------------------------------------------- shell
function shell(role, active) {
  const link = (hash, key, name) => h('a', { href: hash, 'aria-current': active === name ? 'page' : null }, t(key));
  const main = h('main#main', { tabindex: '-1' });
  fill(app,
    h('a.skip', { href: '#main', on: { click: (e) => { e.preventDefault(); main.focus(); } } }, t('app.skip')),
    h('header.topbar',
      h('div.brand', h('span.logo', { 'aria-hidden': 'true' }, 'pg'), t('app.title')),
      h('nav', { 'aria-label': t('app.title') },
        link('#/queue', 'nav.queue', 'queue'),
        link('#/appeals', 'nav.appeals', 'appeals'),
        link('#/notices', 'nav.notices', 'notices'),
        role === 'admin' ? link('#/audit', 'nav.audit', 'audit') : null),
      h('div.tools',
        h('span', { class: `role role-${role}` }, label('role', role)),
        langSwitch(),
        h('button.btn.btn-ghost', { type: 'button', 'aria-keyshortcuts': '?', on: { click: showHelp } }, t('nav.help'), h('kbd.hint', '?')),
        h('button.btn.btn-ghost#signout', { type: 'button', on: { click: signOut } }, t('nav.signout')))),
    main);
  return main;
}

function signOut() {
  endSession();
  navigate('#/signin');
}

function showHelp() {
  const keys = [['j / ↓', 'help.j'], ['k / ↑', 'help.k'], ['Enter', 'help.enter'], ['/', 'help.slash'],
    ['n / p', 'help.np'], ['r', 'help.r'], ['u', 'help.u'], ['v', 'help.v'], ['g q · g a · g n · g l', 'help.q'],
    ['?', 'help.help'], ['Esc', 'help.esc']];
  modal(t('help.title'), (close) => [
    h('table.keys', h('tbody', keys.map(([k, v]) => h('tr', h('th', { scope: 'row' }, h('kbd', k)), h('td', t(v)))))),
    h('div.dialog-actions', h('button.btn.btn-primary', { type: 'button', autofocus: true, on: { click: () => close() } }, t('common.close'))),
  ]);
}

// -------------------------------------------------------------- router
async function route() {
  if (current && current.dispose) current.dispose();
  current = null;
  document.documentElement.lang = getLang();
  const s = session();
  const hash = location.hash || '#/queue';
  if (!s) {
    renderSignIn();
    return;
  }
  if (hash === '#/signin') { navigate('#/queue'); return; }
  const features = await serverFeatures();
  const m = /^#\/case\/(\d{1,18})$/.exec(hash);
  let name = 'queue';
  if (m) name = 'case';
  else if (hash === '#/appeals') name = 'appeals';
  else if (hash === '#/notices') name = 'notices';
  else if (hash === '#/audit' && s.role === 'admin') name = 'audit';
  else if (hash !== '#/queue') { navigate('#/queue'); return; }
  const main = shell(s.role, name === 'case' ? 'queue' : name);
  const ctx = { navigate, role: s.role, features };
  const titles = { queue: 'queue.title', appeals: 'appeals.title', notices: 'notices.title', audit: 'audit.title' };
  if (name === 'case') {
    document.title = `${t('case.title', { id: m[1] })} · ${t('app.title')}`;
    current = renderCase(main, { ...ctx, id: m[1] });
  } else {
    document.title = `${t(titles[name])} · ${t('app.title')}`;
    const fn = { queue: renderQueue, appeals: renderAppeals, notices: renderNotices, audit: renderAudit }[name];
    current = fn(main, ctx);
  }
  if (current && current.ready) {
    current.ready.catch((e) => announce(t('common.error', { msg: e.message }), 'error'));
  }
}

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
  if (!session()) return;
  if (gPending && !typingIn(e)) {
    gPending = false;
    const to = { q: '#/queue', a: '#/appeals', n: '#/notices', l: '#/audit' }[e.key];
    if (to) { e.preventDefault(); navigate(to); }
    return;
  }
  if (current && current.onKey && current.onKey(e)) { e.preventDefault(); return; }
  if (typingIn(e)) return;
  if (e.key === 'g') { gPending = true; setTimeout(() => { gPending = false; }, 1200); return; }
  if (e.key === '?') { e.preventDefault(); showHelp(); }
});

setUnauthorizedHandler(() => {
  renderSignIn(t('common.session'));
});

window.addEventListener('hashchange', route);
route();
