// SPDX-License-Identifier: MIT
// evidence.js -- draws an evidence message with the detector's findings
// highlighted. Findings carry UTF-8 byte offsets into the original text.
//
// Unmasked text: offsets are exact; the text is cut on byte offsets.
// Masked text (the default view): the service replaced every character of
// a finding's span, and every ASCII digit, with one '*', so byte offsets no
// longer line up. Walking the masked text while counting original bytes
// (a kept character counts its own UTF-8 length, a lone '*' outside a span
// was one digit byte) finds where each span starts; the span is then the
// run of '*' there, at most (end - start) long. That is exact for ASCII
// spans (phones, ID and card numbers, e-mail); for spans of multi-byte
// characters it can take in a masked digit that directly follows.

import { h } from './dom.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8');

/** Findings sorted by start, overlaps merged (types joined). */
function normalise(findings, limit) {
  const list = (Array.isArray(findings) ? findings : [])
    .filter((f) => f && Number.isInteger(f.start) && Number.isInteger(f.end) && f.end > f.start)
    .map((f) => ({ start: Math.max(0, f.start), end: Math.min(limit, f.end), items: [f] }))
    .filter((f) => f.end > f.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out = [];
  for (const f of list) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      last.items.push(...f.items);
    } else {
      out.push(f);
    }
  }
  return out;
}

function markFor(span, text) {
  const types = [...new Set(span.items.map((f) => f.type))];
  const cls = span.items.some((f) => f.class === 'direct') ? 'mark-direct'
    : span.items.some((f) => f.class === 'quasi') ? 'mark-quasi' : 'mark-signal';
  const title = span.items.map((f) => `${f.type} · ${f.class ?? ''} · ${fmtScore(f.score)}`).join('\n');
  return h('mark', { class: `finding ${cls}`, title, dataset: { type: types.join(' ') } },
    text, h('span.finding-type', { 'aria-hidden': 'false' }, types.join(', ')));
}

export function fmtScore(s) {
  return typeof s === 'number' ? s.toFixed(2) : '';
}

/** Nodes for the unmasked text with findings marked (byte-exact). */
export function unmaskedNodes(text, findings) {
  const bytes = enc.encode(text);
  const spans = normalise(findings, bytes.length);
  const out = [];
  let at = 0;
  for (const s of spans) {
    if (s.start > at) out.push(dec.decode(bytes.subarray(at, s.start)));
    out.push(markFor(s, dec.decode(bytes.subarray(s.start, s.end))));
    at = s.end;
  }
  if (at < bytes.length) out.push(dec.decode(bytes.subarray(at)));
  return out;
}

/** Nodes for the masked text with findings marked (see the file comment). */
export function maskedNodes(masked, findings) {
  const chars = Array.from(masked);
  const spans = normalise(findings, Number.MAX_SAFE_INTEGER);
  const out = [];
  let buf = '';
  let orig = 0; // byte offset in the original text
  let si = 0;
  for (let i = 0; i < chars.length;) {
    while (si < spans.length && spans[si].end <= orig) si++;
    const s = spans[si];
    if (s && orig >= s.start && chars[i] === '*') {
      let run = 0;
      while (i + run < chars.length && chars[i + run] === '*' && run < s.end - s.start) run++;
      if (buf) out.push(buf);
      buf = '';
      out.push(markFor(s, chars.slice(i, i + run).join('')));
      i += run;
      orig = s.end;
      si++;
      continue;
    }
    buf += chars[i];
    orig += chars[i] === '*' ? 1 : enc.encode(chars[i]).length;
    i++;
  }
  if (buf) out.push(buf);
  return out;
}
