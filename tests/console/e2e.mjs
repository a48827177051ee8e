// SPDX-License-Identifier: MIT
// e2e.mjs -- end-to-end test of the reviewer console (web/) in Debian's
// headless Chromium, driven by playwright-core, against a real
// `privguard serve` that this script starts on a free loopback port with a
// fresh SQLite data folder and stops at the end.
//
// Scenario: seed a realistic queue (background cases filed with the CLI at
// past times, so ages vary; an earlier decision on the target account);
// file the target report through the API (evidence with a generated fake
// phone number and resident number, findings from /v1/scan); a moderator
// signs in, finds it with the keyboard, sees the evidence masked, reveals
// it with a reason (checked in the audit log), decides with a 7-day
// openchat_access sanction, and /v1/sanctions/check then says no; a triage
// user gets no sanction controls and the API answers 403; an admin sees the
// audit log and resolves an appeal; the dictionaries match; then 2,000 more
// cases (PVG_CONSOLE_BULK) through the API and the queue's load and paging
// times are measured. Screenshots go to docs/console/.
//
// Environment: PVG_CLI (the privguard binary; default <repo>/build/privguard),
// PVG_CHROMIUM (default /usr/bin/chromium), PVG_CONSOLE_BULK (default 2000),
// PVG_CONSOLE_SHOTS=0 to skip writing screenshots.
// Output: one "ok"/"not ok" line per step, then "N passed, N failed".
// All values are generated fakes.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const CLI = process.env.PVG_CLI || join(repo, 'build/privguard');
const CHROMIUM = process.env.PVG_CHROMIUM || '/usr/bin/chromium';
const BULK = Number.parseInt(process.env.PVG_CONSOLE_BULK ?? '2000', 10);
const SHOTS = process.env.PVG_CONSOLE_SHOTS !== '0';
const shotDir = join(repo, 'docs/console');
const run = promisify(execFile);

// ------------------------------------------------------------ harness
const results = { passed: 0, failed: 0, skipped: 0 };
let broken = false;
async function step(name, fn, { always = false } = {}) {
  if (broken && !always) {
    results.skipped++;
    console.log(`skip - ${name}`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    results.passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.failed++;
    broken = true;
    console.log(`not ok - ${name}\n  ${String(e && e.stack ? e.stack : e).split('\n').join('\n  ')}`);
    for (const p of openPages) {
      if (p.errors && p.errors.length) console.log(`  page errors: ${p.errors.join('\n    ')}`);
    }
    const last = openPages.filter((p) => !p.isClosed()).pop();
    if (last) {
      const file = join(tmpdir(), `pvg-console-failure-${process.pid}.png`);
      await last.screenshot({ path: file, fullPage: true }).then(() => console.log(`  screenshot: ${file}`), () => {});
    }
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
function note(msg) {
  console.log(`# ${msg}`);
}

// ------------------------------------------------------- fake values
let seed = 20241128;
function rnd(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
const digits = (n) => Array.from({ length: n }, () => rnd(10)).join('');
function fakePhone() {
  return `010-${2000 + rnd(7000)}-${digits(4)}`;
}
/** A resident number with a valid check digit (YYMMDD-GNNNNNC), generated. */
function fakeRrn() {
  const yy = 70 + rnd(30), mm = 1 + rnd(12), dd = 1 + rnd(28);
  const body = `${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}${String(dd).padStart(2, '0')}${1 + rnd(2)}${digits(5)}`;
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  const sum = [...body].reduce((s, ch, i) => s + Number(ch) * w[i], 0);
  const check = (11 - (sum % 11)) % 10;
  return `${body.slice(0, 6)}-${body.slice(6)}${check}`;
}

// ------------------------------------------------------------ service
async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'pvg-console-'));
const data = join(tmp, 'data');
const store = join(data, 'privguard.db');
mkdirSync(data, { mode: 0o700 });
let server = null;
let base = '';
const tokens = {};

async function cli(args, input) {
  return new Promise((res, rej) => {
    const p = execFile(CLI, args, { timeout: 60000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`privguard ${args[0]} failed (${err.code}): ${stderr.trim()}`));
      else res(stdout.trim() ? JSON.parse(stdout) : null);
    });
    if (input !== undefined) p.stdin.end(input);
  });
}

async function startServer() {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(CLI, ['serve', '--listen', `127.0.0.1:${port}`, '--data', data, '--store', store,
    '--web', join(repo, 'web'), '--threads', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((res) => server.once('exit', (code) => res(code)));
  for (let i = 0; i < 300; i++) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('wait'), 100))]);
    if (code !== 'wait') throw new Error(`privguard serve exited (${code}): ${log.trim()}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch (_) { /* not yet */ }
  }
  throw new Error(`privguard serve did not answer /healthz: ${log.trim()}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const done = new Promise((res) => server.once('exit', res));
  server.kill('SIGTERM');
  const t = setTimeout(() => server.kill('SIGKILL'), 10000);
  await done;
  clearTimeout(t);
}

async function api(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (_) { json = text; }
  return { status: res.status, json };
}

async function scan(text, surface) {
  const r = await api('POST', '/v1/scan', tokens.service, { text, surface });
  assert(r.status === 200, `scan answered ${r.status}`);
  return r.json;
}

// -------------------------------------------------------------- seed
const DAY = 86400e3;
const target = { account: 'user:e2e-poster-7731', phone: fakePhone(), rrn: fakeRrn() };
const triageCase = { account: 'user:e2e-other-2210' };

const background = [
  // [category, surface, text, reporters, days ago]
  ['pii_exposure', 'open_chat', () => `이 사람 번호 ${fakePhone()} 사기꾼임 다들 연락해`, 3, 0.2],
  ['pii_trade', 'open_chat', () => '개인정보 DB 판매합니다 최신 1만건 텔레그램 @fake_db_seller 문의', 2, 1.5],
  ['phishing_lure', 'direct', () => '[카카오] 계정 보호 조치: http://kakao-secure-login.example/verify 에서 본인 인증하세요', 1, 0.05],
  ['exposure_threat', 'group', () => '너 신상 다 털어서 오픈채팅에 뿌린다 주소 알아냈다', 2, 3.2],
  ['unconsented_collection', 'open_chat', () => '이벤트 참여하시려면 주민번호 앞자리랑 전화번호 보내주세요', 1, 0.9],
  ['malware_lure', 'open_chat', () => '이 앱 설치하면 쿠폰 드려요 http://coupon.example/app.apk 출처를 알 수 없는 앱 허용 필요', 1, 6.5],
  ['pii_exposure', 'board', () => `홍길동 주민번호 ${fakeRrn()} 여기 올립니다`, 4, 0.6],
  ['impersonation_collection', 'direct', () => '금융감독원입니다. 계좌 보호를 위해 인증번호 6자리를 보내주세요', 1, 2.1],
  ['pii_exposure', 'open_profile', () => `연락처 ${fakePhone()} 이 사람 찾습니다`, 1, 8.3],
  ['pii_trade', 'board', () => '대포 통장 명단 팝니다 건당 5천원', 3, 0.3],
  ['phishing_lure', 'open_chat', () => '택배 주소 확인: http://bit.ly/fake-parcel 접속 후 로그인', 2, 4.4],
  ['other', 'open_chat', () => '광고 도배합니다 죄송', 1, 11],
];

async function seedBackground() {
  const now = Date.now();
  let n = 0;
  for (let round = 0; round < 3; round++) {
    for (const [cat, surface, make, reporters, ago] of background) {
      const account = `user:seed-${round}-${n++}`;
      const at = Math.round(now - (ago + round * 1.7) * DAY);
      for (let r = 0; r < Math.max(1, reporters - round); r++) {
        const text = make();
        const res = await scan(text, surface);
        const ev = JSON.stringify({ text, sender: account, room: `openchat:room-${n}`, surface,
          id: `m-${n}-${r}`, ts: at - 60000, findings: res.findings });
        const score = res.violations.length ? Math.max(...res.violations.map((v) => v.score)) : 0;
        await cli(['report', '--store', store, '--now', String(at + r * 60000), '--actor', 'app:seed',
          '--actor-role', 'admin', '--reporter', `user:reporter-${n}-${r}`, '--account', account,
          '--subject-type', 'message', '--subject', `m-${n}-${r}`, '--reason', cat,
          '--channel', 'in_app', '--score', score.toFixed(2), '--evidence', '-'], `${ev}\n`);
      }
    }
  }
  return n;
}

/** An earlier violation on the target account, 20 days ago (history). */
async function seedTargetHistory() {
  const at = Date.now() - 20 * DAY;
  const text = `전번 ${fakePhone()} 돌립니다`;
  const res = await scan(text, 'open_chat');
  const out = await cli(['report', '--store', store, '--now', String(at), '--actor', 'app:seed', '--actor-role', 'admin',
    '--reporter', 'user:early-reporter', '--account', target.account, '--subject-type', 'message',
    '--subject', 'm-early', '--reason', 'pii_exposure', '--evidence', '-'],
  `${JSON.stringify({ text, sender: target.account, room: 'openchat:old', surface: 'open_chat', id: 'm-early', ts: at, findings: res.findings })}\n`);
  await cli(['case', 'decide', String(out.case_id), '--store', store, '--now', String(at + 3600e3),
    '--actor', 'mod:earlier', '--actor-role', 'moderator', '--outcome', 'violation',
    '--category', 'pii_exposure', '--sanction', 'message_send:1d']);
}

async function fileTarget() {
  const text = `이 사람 번호 ${target.phone} 이고 주민번호 ${target.rrn} 입니다 다들 연락해서 따지세요`;
  const res = await scan(text, 'open_chat');
  const types = res.findings.map((f) => f.type);
  assert(types.includes('PHONE_NUMBER') && types.includes('KR_RRN'), `scan found ${types}`);
  target.text = text;
  for (const [i, who] of ['user:e2e-reporter-1', 'user:e2e-reporter-2'].entries()) {
    const r = await api('POST', '/v1/reports', tokens.reporter_app, {
      reporter: who, account: target.account, subject_type: 'message', subject_id: `m-target-${i}`,
      reason: 'pii_exposure', channel: 'in_app', comment: i ? `제 번호 ${fakePhone()} 도 올렸어요` : '오픈채팅방에 남의 번호를 올렸습니다',
      evidence: [{ text, sender: target.account, room: 'openchat:e2e', surface: 'open_chat', message_id: `m-target-${i}`,
        sent_at: Date.now() - 3600e3, findings: res.findings }],
    });
    assert(r.status === 201, `report answered ${r.status} ${JSON.stringify(r.json)}`);
    target.caseId = r.json.case_id;
  }
  const t2 = `${triageCase.account.slice(5)} 번호 ${fakePhone()} 공유합니다`;
  const r2 = await scan(t2, 'group');
  const r = await api('POST', '/v1/reports', tokens.reporter_app, {
    reporter: 'user:e2e-reporter-3', account: triageCase.account, subject_type: 'message', subject_id: 'm-tri',
    reason: 'pii_exposure', evidence: [{ text: t2, sender: triageCase.account, surface: 'group', findings: r2.findings }],
  });
  assert(r.status === 201, `triage report answered ${r.status}`);
  triageCase.caseId = r.json.case_id;
}

async function bulk(n) {
  const cats = ['pii_exposure', 'pii_trade', 'phishing_lure', 'exposure_threat', 'unconsented_collection', 'malware_lure'];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await api('POST', '/v1/reports', tokens.service, {
        reporter: 'svc:detector', account: `user:bulk-${String(i).padStart(5, '0')}`, subject_type: 'message',
        subject_id: `bulk-m-${i}`, reason: cats[i % cats.length], channel: 'automated', score: (i % 100) / 100,
        evidence: [{ text: `자동 탐지 메시지 ${i}`, surface: 'open_chat' }],
      });
      if (r.status !== 201) throw new Error(`bulk report ${i} answered ${r.status} ${JSON.stringify(r.json)}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

// ----------------------------------------------------------- browser
let browser = null;
const openPages = [];
const profile = join(tmp, 'chromium-profile');

async function launch() {
  mkdirSync(profile);
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
  });
  browser.setDefaultTimeout(15000);
}

async function newPage() {
  const page = await browser.newPage();
  page.errors = [];
  openPages.push(page);
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // HTTP error answers are checked where they matter (the role probe at
  // sign-in expects 400/403/404); Chromium logs each as a console error.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.errors.push(m.text());
  });
  // The console must not reach anything but its own origin.
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(base) || u.startsWith('data:')) route.continue();
    else { page.errors.push(`outside request: ${u}`); route.abort(); }
  });
  return page;
}

async function signIn(page, token) {
  await page.goto(`${base}/`);
  await page.waitForSelector('#token');
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.waitForSelector('table.queue tbody tr');
}

/** Form controls on the page with no accessible name (label or aria). */
async function unlabeled(page) {
  return page.$$eval('input, select, textarea, button', (els) => els
    .filter((e) => e.type !== 'hidden' && !e.closest('[hidden]'))
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
      && !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
    .map((e) => e.outerHTML.slice(0, 80)));
}

async function shot(page, name, opts = {}) {
  if (!SHOTS) return;
  await page.evaluate(() => document.querySelectorAll('.toast').forEach((t) => t.remove()));
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, name), ...opts });
}

// -------------------------------------------------------------- main
async function main() {
  await step('tools are there', async () => {
    assert(existsSync(CLI), `no privguard binary at ${CLI} (set PVG_CLI)`);
    assert(existsSync(CHROMIUM), `no chromium at ${CHROMIUM}`);
  });
  await step('tokens created with privguard token create', async () => {
    for (const role of ['service', 'reporter_app', 'triage', 'moderator', 'admin']) {
      const out = await cli(['token', 'create', '--role', role, '--label', `e2e ${role}`, '--store', store]);
      assert(/^[0-9a-f]{64}$/.test(out.token), `token for ${role}`);
      tokens[role] = out.token;
    }
  });
  await step('privguard serve starts on a free loopback port', startServer);
  await step('the console is served at / with no outside references', async () => {
    const html = await (await fetch(`${base}/`)).text();
    assert(html.includes('js/app.js'), 'index.html loads js/app.js');
    assert(!/https?:\/\//.test(html.replace(/<!--[\s\S]*?-->/g, '')), 'no absolute URLs in index.html');
  });
  await step('dictionaries: Korean and English hold the same keys', async () => {
    const { dictionaries } = await import(pathToFileURL(join(repo, 'web/js/i18n.js')).href);
    const ko = Object.keys(dictionaries.ko).sort(), en = Object.keys(dictionaries.en).sort();
    const missing = en.filter((k) => !dictionaries.ko[k]).concat(ko.filter((k) => !dictionaries.en[k]));
    assert(missing.length === 0, `keys missing in one language: ${missing.join(', ')}`);
  });
  await step('seed: background cases at past times, earlier decision, target reports', async () => {
    const n = await seedBackground();
    await seedTargetHistory();
    await fileTarget();
    note(`seeded ${n} background accounts; target case #${target.caseId}, triage case #${triageCase.caseId}`);
  });
  await step('chromium starts headless', launch);

  let page;
  await step('moderator signs in; the role comes from the token', async () => {
    page = await newPage();
    await signIn(page, tokens.moderator);
    const role = await page.textContent('.role');
    assert(role.trim() === '검토자', `role badge says ${role}`);
    const stored = await page.evaluate(() => sessionStorage.getItem('pvg.session'));
    assert(stored && stored.includes('"role":"moderator"'), 'session in sessionStorage');
    const local = await page.evaluate(() => JSON.stringify(localStorage));
    assert(!local.includes(tokens.moderator), 'token not in localStorage');
  });
  await step('queue: counts, filters and keyboard selection', async () => {
    const rows = await page.$$eval('table.queue tbody tr', (trs) => trs.length);
    assert(rows >= 30, `queue shows ${rows} rows`);
    await page.selectOption('#f-category', 'pii_trade');
    const cats = await page.$$eval('table.queue tbody tr td:nth-child(3)', (tds) => [...new Set(tds.map((t) => t.textContent))]);
    assert(cats.length === 1 && cats[0] === '개인정보 거래', `category filter shows ${cats}`);
    await page.selectOption('#f-category', '');
    await page.selectOption('#f-age', '3d');
    const ages = await page.$$eval('table.queue tbody tr td:nth-child(7)', (tds) => tds.map((t) => t.textContent));
    assert(ages.length > 0 && ages.every((a) => /일$/.test(a) && Number.parseInt(a, 10) >= 3), `age filter shows ${ages}`);
    await page.selectOption('#f-age', '');
    await page.click('h1');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const selIndex = await page.$$eval('table.queue tbody tr', (trs) => trs.findIndex((t) => t.classList.contains('sel')));
    assert(selIndex === 1, `j j k selects the second row (got ${selIndex})`);
    await page.keyboard.press('?');
    await page.waitForSelector('dialog[open] table.keys');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
  });
  await step('queue: every control has a label', async () => {
    const bad = await unlabeled(page);
    assert(bad.length === 0, `unlabeled: ${bad.join(' | ')}`);
  });
  await step('screenshot: the queue', async () => {
    await page.keyboard.press('k');
    await page.mouse.move(0, 0);
    await shot(page, 'queue.png');
  });
  await step('/ filters by account, Enter opens the case', async () => {
    await page.keyboard.press('/');
    assert(await page.evaluate(() => document.activeElement.id) === 'f-account', '/ focuses the account filter');
    await page.keyboard.type('e2e-poster');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('table.queue tbody tr').length === 1);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/case/${target.caseId}`);
    await page.waitForSelector('#decide');
  });
  await step('case page: evidence masked, findings marked with their types', async () => {
    const msgs = await page.$$eval('.msg', (els) => els.map((e) => e.textContent));
    assert(msgs.length >= 2, `${msgs.length} evidence messages`);
    const all = msgs.join('\n') + (await page.textContent('.reports'));
    for (const secret of [target.phone, target.rrn, target.phone.slice(4), target.rrn.slice(7)]) {
      assert(!all.includes(secret), `masked view leaks ${secret.length} chars`);
    }
    const types = await page.$$eval('.msg mark.finding', (ms) => ms.map((m) => m.dataset.type));
    assert(types.includes('PHONE_NUMBER') && types.includes('KR_RRN'), `marks ${types}`);
    const marked = await page.$$eval('.msg mark.finding', (ms) => ms.map((m) => m.firstChild.textContent));
    assert(marked.every((m) => /^\*+$/.test(m)), `marks cover masked text: ${marked}`);
    const prop = await page.textContent('.proposal');
    assert(/1/.test(prop) && prop.includes('메시지 발송'), `proposal shown: ${prop}`);
    const hist = await page.textContent('.history');
    assert(hist.includes('위반') && hist.includes('메시지 발송'), 'history shows the earlier decision and sanction');
  });
  await step('case page: every control has a label', async () => {
    const bad = await unlabeled(page);
    assert(bad.length === 0, `unlabeled: ${bad.join(' | ')}`);
  });
  await step('screenshot: a case page, masked', async () => {
    await shot(page, 'case.png', { fullPage: true });
  });
  await step('reveal asks for a reason, shows the evidence, and is audited', async () => {
    await page.click('#reveal');
    await page.waitForSelector('dialog[open] #reveal-reason');
    await page.click('dialog[open] button[type=submit]');
    assert((await page.textContent('#reveal-err')).length > 0, 'an empty reason is refused');
    await page.fill('#reveal-reason', 'e2e: 번호가 신고자 본인 것인지 확인');
    await page.click('dialog[open] button[type=submit]');
    await page.waitForSelector('.msg.unmasked');
    const text = (await page.$$eval('.msg.unmasked', (els) => els.map((e) => e.textContent))).join('\n');
    assert(text.includes(target.phone) && text.includes(target.rrn), 'unmasked text shows the values');
    const marked = await page.$$eval('.msg.unmasked mark.finding', (ms) => ms.map((m) => m.firstChild.textContent));
    assert(marked.includes(target.phone) && marked.includes(target.rrn), `marks on exact spans: ${marked}`);
    await page.waitForSelector('.verdict code.reason');
    const reasons = await page.$$eval('.verdict code.reason', (cs) => cs.map((c) => c.textContent));
    assert(reasons.includes('KR_RRN'), `violation reasons ${reasons}`);
    const audit = await api('GET', '/v1/audit?limit=10000', tokens.admin);
    const entry = audit.json.find((a) => a.action === 'evidence.unmasked' && a.object_id === String(target.caseId));
    assert(entry && entry.reason.startsWith('e2e:') && entry.role === 'moderator', 'audit entry with reason and role');
  });
  await step('screenshot: a case page, revealed', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'case-revealed.png');
  });
  let decisionId;
  await step('decide: violation with a 7-day openchat_access sanction', async () => {
    await page.click('#remask');
    assert(await page.$('.msg.unmasked') === null, 'mask again hides the text');
    const rows = await page.$$('.sanction-row');
    assert(rows.length === 1, `one proposed sanction row (got ${rows.length})`);
    await page.selectOption('.sanction-row select.scope', 'openchat_access');
    await page.fill('.sanction-row input.amount', '7');
    await page.selectOption('.sanction-row select.unit', 'd');
    await page.fill('#decide-note', '오픈채팅에 타인의 개인정보를 게시했습니다.');
    const answer = page.waitForResponse((r) => r.url().endsWith(`/v1/cases/${target.caseId}/events`));
    await page.click('#decide');
    const res = await answer;
    assert(res.status() === 201, `decide answered ${res.status()}`);
    decisionId = (await res.json()).decision_id;
    await page.waitForSelector('.case-head .status-closed');
    // The history panel is redrawn once the account's history has loaded.
    await page.waitForFunction(() => {
      const t = document.querySelector('.history').textContent;
      return t.includes('오픈채팅 이용') && t.includes('적용 중');
    });
  });
  await step('the sanction check then says no', async () => {
    const r = await api('GET', `/v1/sanctions/check?account=${encodeURIComponent(target.account)}&scope=openchat_access`, tokens.service);
    assert(r.status === 200 && r.json.allowed === false, `check answered ${JSON.stringify(r.json)}`);
    const days = (r.json.sanction.ends_at - Date.now()) / DAY;
    assert(days > 6.9 && days <= 7.01, `ends in ${days.toFixed(3)} days`);
    const other = await api('GET', `/v1/sanctions/check?account=${encodeURIComponent(triageCase.account)}&scope=openchat_access`, tokens.service);
    assert(other.json.allowed === true, 'another account is still allowed');
  });
  await step('English: the language switch changes every label', async () => {
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('text=Account history');
    assert((await page.textContent('.role')).trim() === 'Moderator', 'role badge in English');
    await page.goto(`${base}/#/queue`);
    await page.waitForSelector('text=Open cases');
    await page.fill('#f-account', '');
    await page.waitForSelector('table.queue tbody tr');
    await page.click('h1');
    await page.mouse.move(0, 0);
    await shot(page, 'queue-en.png');
    await page.selectOption('#lang', 'ko');
    await page.waitForSelector('text=미처리 케이스');
  });
  await step('no page errors and no outside requests (moderator)', async () => {
    assert(page.errors.length === 0, page.errors.join('\n'));
  });

  await step('triage: no reveal, no sanction controls; can escalate', async () => {
    const tp = await newPage();
    await signIn(tp, tokens.triage);
    assert((await tp.textContent('.role')).trim() === '분류 담당', 'triage badge');
    await tp.goto(`${base}/#/case/${triageCase.caseId}`);
    await tp.waitForSelector('#close-case');
    assert(await tp.$('#reveal') === null, 'no reveal button');
    assert(await tp.$('#decide') === null, 'no decide button');
    assert(await tp.$('.sanction-row, select.scope') === null, 'no sanction controls');
    assert(await tp.$('a[href="#/audit"]') === null, 'no audit link');
    await shot(tp, 'case-triage.png');
    await tp.click('#escalate');
    await tp.waitForSelector('.case-head .status-escalated');
    // n on a case page moves to the next case of the queue as last shown.
    assert(await tp.$('#next-case'), 'a next-case link');
    await tp.click('.case-head h1');
    await tp.keyboard.press('n');
    await tp.waitForURL((u) => /#\/case\/\d+$/.test(u.hash) && u.hash !== `#/case/${triageCase.caseId}`);
    assert(tp.errors.length === 0, tp.errors.join('\n'));
    await tp.close();
  });
  await step('triage: the API refuses sanctions and reveal (403)', async () => {
    const d = await api('POST', `/v1/cases/${triageCase.caseId}/events`, tokens.triage, {
      type: 'decide', outcome: 'violation', categories: ['pii_exposure'],
      sanctions: [{ scope: 'openchat_access', duration: '7d' }],
    });
    assert(d.status === 403 && d.json.error === 'forbidden', `decide answered ${d.status}`);
    const v = await api('POST', `/v1/cases/${triageCase.caseId}/reveal`, tokens.triage, { reason: 'x' });
    assert(v.status === 403, `reveal answered ${v.status}`);
    const c = await api('GET', `/v1/sanctions/check?account=${encodeURIComponent(triageCase.account)}&scope=openchat_access`, tokens.service);
    assert(c.json.allowed === true, 'no sanction was created');
  });
  await step('a service token cannot sign in to the console', async () => {
    const sp = await newPage();
    await sp.goto(`${base}/`);
    await sp.fill('#token', tokens.service);
    await sp.press('#token', 'Enter');
    await sp.waitForFunction(() => document.getElementById('signin-err').textContent.length > 0);
    assert(await sp.$('table.queue') === null, 'no queue');
    await sp.close();
  });

  await step('appeals and notices have their own queues; admin resolves, sees the audit log', async () => {
    const ap = await api('POST', '/v1/appeals', tokens.reporter_app, { decision_id: decisionId, statement: '제 번호였습니다. 다시 봐 주세요.' });
    assert(ap.status === 201, `appeal answered ${ap.status}`);
    const nt = await api('POST', '/v1/notices', tokens.reporter_app, { requester: 'rights:e2e-agency', object: 'post:e2e-41', poster: 'user:e2e-poster-9', claim: '초상권 침해', days: 30 });
    assert(nt.status === 201, `notice answered ${nt.status}`);
    const p2 = await newPage();
    await signIn(p2, tokens.admin);
    await p2.click('a[href="#/appeals"]');
    await p2.waitForSelector(`text=${decisionId}`);
    await p2.click('button:has-text("유지")');
    await p2.waitForSelector('text=이의 제기가 없습니다');
    await p2.click('a[href="#/notices"]');
    await p2.waitForSelector('text=rights:e2e-agency');
    await p2.click('button:has-text("임시조치")');
    await p2.waitForSelector('.status-blinded');
    await shot(p2, 'notices.png');
    await p2.click('a[href="#/audit"]');
    await p2.waitForSelector('text=evidence.unmasked');
    await p2.click('button:has-text("해시 체인 검증")');
    await p2.waitForSelector('.ok');
    await shot(p2, 'audit.png');
    assert(p2.errors.length === 0, p2.errors.join('\n'));
    await p2.close();
  });

  await step(`many cases: ${BULK} more through the API, the queue pages fast`, async () => {
    const t0 = Date.now();
    await bulk(BULK);
    const seedMs = Date.now() - t0;
    await page.goto(`${base}/#/queue`);
    await page.waitForSelector('#f-account');
    await page.fill('#f-account', '');
    await page.waitForSelector('table.queue tbody tr');
    const t1 = Date.now();
    await page.click('button:has-text("새로 고침")');
    await page.waitForFunction((n) => /([\d,]+)건 중/.test(document.querySelector('.range').textContent)
      && Number(document.querySelector('.range').textContent.match(/([\d,]+)건 중/)[1].replace(/,/g, '')) >= n, BULK);
    const loadMs = Date.now() - t1;
    const rows = await page.$$eval('table.queue tbody tr', (trs) => trs.length);
    assert(rows === 50, `the DOM holds one page (${rows} rows)`);
    await page.click('h1');
    const pageMs = [], drawMs = [];
    const turns = Math.min(10, Math.ceil((BULK + 1) / 50) - 1);
    for (let i = 0; i < turns; i++) {
      const before = await page.textContent('.range');
      const s = Date.now();
      await page.keyboard.press('n');
      await page.waitForFunction((b) => document.querySelector('.range').textContent !== b, before);
      pageMs.push(Date.now() - s);
      drawMs.push(Number(await page.getAttribute('main', 'data-draw-ms')));
    }
    const s2 = Date.now();
    await page.fill('#f-account', `bulk-${String(BULK - 1).padStart(5, '0')}`);
    await page.waitForFunction(() => document.querySelectorAll('table.queue tbody tr').length === 1);
    const filterMs = Date.now() - s2;
    const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
    note(`bulk: ${BULK} reports through the API in ${seedMs} ms; queue load ${loadMs} ms; `
      + `page turn (key to new rows, via CDP) median ${med(pageMs)} ms, max ${Math.max(...pageMs)} ms; `
      + `in-page draw median ${med(drawMs)} ms, max ${Math.max(...drawMs)} ms; account filter ${filterMs} ms`);
    assert(loadMs < 10000, `queue load took ${loadMs} ms`);
    assert(Math.max(...drawMs) < 250, `a page draw took ${Math.max(...drawMs)} ms`);
    assert(med(pageMs) < 1000, `page turns took ${med(pageMs)} ms`);
    assert(page.errors.length === 0, page.errors.join('\n'));
  });
}

let code = 1;
try {
  await main();
} finally {
  await step('stop chromium and the service', async () => {
    if (browser) await browser.close();
    await stopServer();
    assert(server === null || server.exitCode === 0 || server.signalCode === 'SIGTERM', `serve exited with ${server && server.exitCode}`);
  }, { always: true });
  rmSync(tmp, { recursive: true, force: true });
  console.log(`${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
  code = results.failed || results.skipped ? 1 : 0;
}
process.exit(code);
