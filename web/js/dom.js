// SPDX-License-Identifier: MIT
// dom.js -- small DOM helpers: h() builds elements (text always goes in as
// text nodes, never as HTML, so nothing from the service can inject markup),
// a polite live region for status messages, and modal dialogs on <dialog>
// (native focus handling, Esc closes).

/**
 * h('tag.class#id', {attrs, on: {event: fn}}, ...children)
 * Children: strings (text nodes), nodes, arrays, null/false (skipped).
 */
export function h(sel, attrs, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(sel);
  const el = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'on') {
      for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    } else if (k === 'class') {
      el.className = v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (k in el && typeof v !== 'string') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces el's children with children (flattened; null/false skipped). */
export function fill(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** A status message for sighted users and screen readers. kind: ok|error|info */
export function announce(text, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = h('div.toast', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  box.append(item);
  setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4500);
}

/**
 * Opens a modal dialog. build(close) returns the body nodes; the promise
 * resolves with what close(value) was given (undefined on Esc/cancel).
 */
export function modal(title, build, { labelId = 'dlg-title' } = {}) {
  return new Promise((resolve) => {
    const dlg = h('dialog.dialog', { 'aria-labelledby': labelId });
    let done = false;
    const close = (v) => {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    dlg.addEventListener('close', () => close(undefined));
    dlg.append(h('h2', { id: labelId }, title), ...[].concat(build(close)));
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector('[autofocus], textarea, input, select, button');
    if (first) first.focus();
  });
}

/** True when the key event comes from a field where typing is text. */
export function typingIn(ev) {
  const el = ev.target;
  if (!(el instanceof HTMLElement)) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}
