/*
 * The login state kept in the platform's storage, for launches inside an LMS iframe (1EdTech "LTI
 * Client Side postMessages" and its implementation guide "OIDC Login with LTI Client Side
 * postMessages"; Canvas calls it LTI Platform Storage). Inside the iframe a cookie of Lectern's is
 * third-party and Chrome and Safari block it, so nothing would tie the platform's form post to the
 * browser that started the login. A platform that offers a storage frame names it in the login
 * initiation's `lti_storage_target` ('_parent', or a frame beside Lectern's, e.g. Canvas's
 * `post_message_forwarding`); then:
 *
 * 1. Login answers a page (not a 302) whose script sends `lti.put_data` {key, value: the state} to
 *    that frame, targetOrigin the origin of the registration's auth login URL (the spec's rule, and
 *    where Canvas serves the frame; never '*'), waits for the `lti.put_data.response` with its
 *    message_id from that origin, then goes to the platform's auth URL. An error response or no
 *    answer in time leaves the page saying so: without the stored state the launch could not pass.
 * 2. The platform's form post of the launch (id_token, state) does not sign in: it answers a page that
 *    asks `lti.get_data` for the key, compares the value with the posted state, and only on a match
 *    posts id_token and state again, with the one-time marker this post set and the value it read.
 * 3. That second post takes the state and the launch goes on as any other. Inside the frame that is
 *    today's ticket page (a session cookie there is third-party too, and nothing in the spec or
 *    Canvas's guidance changes that); at the top level, a session.
 *
 * The key is `lti_state_<state>`, as 1EdTech's example library (lti-postmessage-library) writes it:
 * one key per login, so two launches in one course page do not overwrite each other, and Canvas
 * recommends the value be part of the key. Only the state is stored, not the nonce: the nonce is kept
 * server-side with the state and checked against the id_token, so storing it too proves nothing more.
 *
 * Why the server trusts step 3: the comparison runs in the browser, as the guide says it must, so
 * the server must know the second post came from its own check page and not from a form someone
 * else wrote. It requires (a) the marker, a random secret set once on the login state by step 2, so
 * step 3 cannot happen without step 2, and a second step 2 of the same state is refused; and (b) the
 * post's Sec-Fetch-Site (or, from a browser that sends none, its Origin) to be Lectern's own: another site can make a browser
 * post a stolen id_token and state with any fields, but only Lectern's page can post same-origin, and
 * that page posts only after the browser's own platform storage gave back the state. The server also
 * checks the value read equals the state (the check page would not post otherwise).
 *
 * No `SameSite=None; Secure` state cookie is set (DESIGN.md allows one): inside the iframe it is the
 * very cookie Chrome and Safari block, so a launch without it would have to pass all the same, and a
 * cookie whose absence is accepted binds nothing. Where the platform offers storage, that is the
 * binding; where it does not, the state row alone, as before.
 */
import crypto from 'node:crypto';
import { Lti13Error } from './errors.js';

/** The form fields the check page adds to its post of id_token and state. */
export const STORAGE_FIELDS = { marker: 'lti_storage_marker', value: 'lti_storage_value' } as const;

/** How long a page waits for the platform's storage frame to answer, ms. */
export const STORAGE_TIMEOUT_MS = 3000;

const FRAME_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Names that window.parent.frames[name] would read as a property of the window, not a frame.
const NOT_FRAME_NAMES = new Set([
  '_self',
  '_top',
  '_blank',
  'top',
  'parent',
  'self',
  'opener',
  'frames',
  'window',
  'length',
  'location',
  'document',
  'constructor',
  '__proto__',
  'prototype',
  'postMessage',
]);

/** The storage frame's name from a login initiation (null when none was offered); throws Lti13Error for a name no frame can have. */
export function storageFrameName(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw === '_parent') return raw;
  if (!FRAME_NAME.test(raw) || NOT_FRAME_NAMES.has(raw)) {
    throw new Lti13Error('LTI13_MALFORMED', `lti_storage_target ${JSON.stringify(raw.slice(0, 80))} is not a frame name`, {
      message: 'Your LMS offered to keep this sign-in in a frame Lectern cannot address. Ask your administrator to check the LMS’s LTI settings.',
    });
  }
  return raw;
}

/** The platform storage key of a login's state. */
export function storageKey(state: string): string {
  return `lti_state_${state}`;
}

/** The origin of the platform's storage frame: that of its auth login URL. */
export function storageOrigin(authLoginUrl: string): string {
  return new URL(authLoginUrl).origin;
}

/** What the login page stores and where it goes after. */
export interface StoragePut {
  target: string;
  origin: string;
  key: string;
  value: string;
  /** The platform's auth URL with every OIDC parameter (what a plain login redirects to). */
  redirect: string;
}

/** The launch's answer to the platform's post of a storage login: the check page, no session. */
export interface StorageCheck {
  kind: 'storage-check';
  target: string;
  origin: string;
  key: string;
  idToken: string;
  state: string;
  marker: string;
}

/** The check page's fields, and whether the post came from a page of Lectern's own origin. */
export interface StorageFields {
  marker?: string;
  value?: string;
  sameOrigin: boolean;
}

/** Refuses the second post of a storage login unless Lectern's check page sent it with the state it read back (see above). */
export function assertStorageChecked(storage: StorageFields | undefined, state: string): void {
  if (storage?.sameOrigin && storage.value === state) return;
  throw new Lti13Error('LTI13_NONCE', storage?.sameOrigin ? 'the state read from platform storage differs from the posted state' : 'storage check post from another origin', {
    message: 'Your LMS could not confirm that this sign-in started in this browser. Please launch Lectern again from your course.',
  });
}

/**
 * Whether a request came from a page of `origin`: the browser's Sec-Fetch-Site, or where a browser
 * sends none, its Origin header. Sec-Fetch-Site first: under Lectern's `Referrer-Policy: no-referrer`
 * a browser sends even a same-origin form post with `Origin: null`.
 */
export function fromOrigin(headers: { origin?: string | string[]; 'sec-fetch-site'?: string | string[] }, origin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return headers.origin === origin;
}

// What the pages say when the platform's frame does not help; shown by the script, so sent as data.
const MESSAGES = {
  noAnswer: 'Your LMS did not answer Lectern’s request to keep this sign-in. Please launch Lectern again from your course; if it keeps happening, ask your administrator.',
  refused: 'Your LMS refused to keep this sign-in for Lectern. Please launch Lectern again from your course; if it keeps happening, ask your administrator.',
  mismatch: 'Your LMS could not confirm that this sign-in started in this browser. Please launch Lectern again from your course.',
};

/** The login page's data (read by PUT_SCRIPT). */
export function putPageData(put: StoragePut): Record<string, unknown> {
  return { ...put, timeoutMs: STORAGE_TIMEOUT_MS, messages: MESSAGES };
}

/** The check page's data (read by CHECK_SCRIPT); `action` is the launch URL. */
export function checkPageData(check: StorageCheck, action: string): Record<string, unknown> {
  const { target, origin, key, idToken, state, marker } = check;
  return { target, origin, key, state, action, timeoutMs: STORAGE_TIMEOUT_MS, messages: MESSAGES, fields: { id_token: idToken, state, [STORAGE_FIELDS.marker]: marker } };
}

// One request to the storage frame and its answer (or null: no frame, no answer in time). The page
// carries its data as JSON in #lti-data and says what happened in #lti-status.
const ASK = `'use strict';
var data = JSON.parse(document.getElementById('lti-data').textContent);
function fail(message) {
  document.title = 'Lectern could not open · Lectern';
  document.querySelector('h1').textContent = 'Lectern could not open';
  document.getElementById('lti-status').textContent = message;
}
function ask(subject, fields, done) {
  var target = null;
  try { target = data.target === '_parent' ? window.parent : window.parent.frames[data.target]; } catch (e) { target = null; }
  if (!target || target === window) return done(null);
  var bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  var id = 'lectern-' + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  var timer = null;
  function onMessage(event) {
    var m = event.data;
    if (event.origin !== data.origin || !m || typeof m !== 'object' || m.message_id !== id || m.subject !== subject + '.response') return;
    window.removeEventListener('message', onMessage);
    clearTimeout(timer);
    done(m);
  }
  window.addEventListener('message', onMessage);
  timer = setTimeout(function () { window.removeEventListener('message', onMessage); done(null); }, data.timeoutMs);
  var message = { subject: subject, message_id: id, key: data.key };
  for (var name in fields) message[name] = fields[name];
  try { target.postMessage(message, data.origin); } catch (e) { clearTimeout(timer); window.removeEventListener('message', onMessage); done(null); }
}
`;

const PUT = `${ASK}ask('lti.put_data', { value: data.value }, function (reply) {
  if (reply && !reply.error) { window.location.href = data.redirect; return; }
  fail(reply ? data.messages.refused : data.messages.noAnswer);
});
`;

const CHECK = `${ASK}ask('lti.get_data', {}, function (reply) {
  if (!reply || reply.error) return fail(reply ? data.messages.refused : data.messages.noAnswer);
  if (reply.value !== data.state) return fail(data.messages.mismatch);
  var form = document.createElement('form');
  form.method = 'post';
  form.action = data.action;
  var fields = data.fields;
  fields['${STORAGE_FIELDS.value}'] = reply.value;
  for (var name in fields) {
    var input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = fields[name];
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
});
`;

/** An inline script and its CSP source expression (the page allows this script and no other). */
export interface PageScript {
  source: string;
  hash: string;
}

const pageScript = (source: string): PageScript => ({ source, hash: `'sha256-${crypto.createHash('sha256').update(source).digest('base64')}'` });

/** The login page's script: lti.put_data, then the platform's auth URL. */
export const PUT_SCRIPT = pageScript(PUT);

/** The check page's script: lti.get_data, compare, then the second post. */
export const CHECK_SCRIPT = pageScript(CHECK);
