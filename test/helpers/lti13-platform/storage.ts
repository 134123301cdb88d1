/*
 * The test platform's side of LTI Client Side postMessages (platform storage), as Canvas does it: a
 * course page that frames the tool beside a hidden storage frame of the platform's own origin, and
 * that frame, which answers lti.capabilities, lti.put_data and lti.get_data for each sending origin
 * separately. The course page starts the tool only once the storage frame has loaded.
 */
import { escapeHtml } from './http.js';

/** The name the platform gives its storage frame (Canvas's), sent as lti_storage_target. */
export const STORAGE_FRAME = 'post_message_forwarding';

/**
 * The course page (`/lms/course?tool=<login initiation URL>`): the tool in `#tool`, the storage
 * frame beside it; `tamper=1` makes the frame give back a value it was not given.
 */
export function coursePage(toolUrl: string, tamper: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>English 101 · Test LMS</title>
<style>body{font:15px system-ui,sans-serif;margin:0;background:#eef1f4}header{background:#2d3b45;color:#fff;padding:.8rem 1.2rem;font-weight:600}main{padding:1rem 1.2rem}iframe#tool{width:100%;height:420px;border:1px solid #c7cdd1;background:#fff}</style></head>
<body><header>Test LMS · English 101</header><main><h2>Chapter books</h2>
<iframe name="${STORAGE_FRAME}" src="/lms/storage-frame${tamper ? '?tamper=1' : ''}" hidden></iframe>
<iframe id="tool" name="tool" title="Lectern" data-src="${escapeHtml(toolUrl)}" allow="fullscreen"></iframe></main>
<script>
document.querySelector('iframe[name="${STORAGE_FRAME}"]').addEventListener('load', function () {
  var tool = document.getElementById('tool');
  tool.src = tool.getAttribute('data-src');
});
</script></body></html>`;
}

/** The storage frame: keeps values per the origin that put them; every message is listed in window.__lti for tests. */
export function storageFramePage(tamper: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>storage</title></head><body><script>
var stores = {};
var tamper = ${tamper ? 'true' : 'false'};
window.__lti = [];
window.addEventListener('message', function (event) {
  var m = event.data;
  if (!m || typeof m !== 'object' || typeof m.subject !== 'string') return;
  window.__lti.push({ subject: m.subject, key: m.key, value: m.value, origin: event.origin });
  var store = stores[event.origin] || (stores[event.origin] = {});
  var reply = { subject: m.subject + '.response', message_id: m.message_id };
  if (m.subject === 'lti.capabilities') {
    reply.supported_messages = [{ subject: 'lti.put_data', frame: '${STORAGE_FRAME}' }, { subject: 'lti.get_data', frame: '${STORAGE_FRAME}' }];
  } else if (m.subject === 'lti.put_data' && typeof m.key === 'string' && m.value !== undefined) {
    store[m.key] = m.value;
    reply.key = m.key;
    reply.value = m.value;
  } else if (m.subject === 'lti.get_data' && Object.prototype.hasOwnProperty.call(store, m.key)) {
    reply.key = m.key;
    reply.value = tamper ? 'a state this browser never stored' : store[m.key];
  } else {
    reply.error = { code: m.subject === 'lti.get_data' || m.subject === 'lti.put_data' ? 'bad_request' : 'unsupported_subject', message: 'cannot do ' + m.subject };
  }
  event.source.postMessage(reply, event.origin);
});
</script></body></html>`;
}
