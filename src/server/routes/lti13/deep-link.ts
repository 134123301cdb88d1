/*
 * LTI Deep Linking 2.0 pages (src/lti13/deep-linking.ts has the rules): the title picker a verified
 * LtiDeepLinkingRequest opens, its form (`POST /lti/1.3/deep-link`: search, or answer the LMS), the
 * page that form-posts the signed response to the platform, and the signed cover URLs the picker and
 * the LMS show. Everything is server-rendered and works inside the LMS's iframe without a cookie: the
 * picker's token travels in the form, never in a URL. The picker has no script; the answer page has
 * one line, allowed by a per-response nonce, that posts the form at once.
 */
import crypto from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { DeepLinking, type DeepLinkResponse, type PickerItem, type PickerView } from '../../../lti13/deep-linking.js';
import type { App } from '../../types.js';
import { escapeHtml, ltiPageScope } from '../lti/pages.js';

const FORM_MESSAGE = 'The title picker sends a form post (application/x-www-form-urlencoded).';

// Framed by any LMS; covers from Lectern itself; the picker's form posts only to Lectern.
const PICKER_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors *";

const services = new WeakMap<AppContext, DeepLinking>();

/** The process's DeepLinking service for this context (one, so its cleanup timer is shared). */
export function deepLinkingFor(ctx: AppContext): DeepLinking {
  let service = services.get(ctx);
  if (!service) {
    service = new DeepLinking(ctx.db.kysely, { publicUrl: ctx.config.publicUrl, keys: ctx.lti13.keys, secrets: ctx.secrets, store: ctx.contentStore });
    services.set(ctx, service);
  }
  return service;
}

/** Sends the picker for a token (a launch's answer, or a search); `problem` is shown above the list with `status`. */
export async function sendPicker(reply: FastifyReply, service: DeepLinking, token: string, input: { search?: string; selected?: string[]; problem?: string; status?: number }) {
  const view = await service.picker(token, input);
  return sendHtml(reply, input.status ?? 200, PICKER_CSP, pickerHtml(token, view, input.problem ?? ''));
}

/** Deep Linking 2.0: the picker's form (its own scope: form bodies, errors as pages) and the signed cover URLs (an image or a JSON error). */
export async function lti13DeepLinkRoutes(app: App, ctx: AppContext): Promise<void> {
  const service = deepLinkingFor(ctx);
  await app.register(async (scope) => pickerRoutes(scope, service));

  app.get(
    '/lti/1.3/covers/:customerId/:bookId',
    {
      schema: {
        tags: ['lti13'],
        summary: "A title's cover for the picker and the LMS (the thumbnail of a deep-linked title): signed URL, no session",
        params: Type.Object({ customerId: Type.String({ maxLength: 100 }), bookId: Type.String({ maxLength: 100 }) }),
        querystring: Type.Object({ sig: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
        security: [],
        produces: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
      },
    },
    async (request, reply) => {
      const cover = await service.cover(request.params.customerId, request.params.bookId, request.query.sig);
      if (request.headers['if-none-match'] === cover.etag) {
        cover.stream.destroy();
        return reply.status(304).send(null);
      }
      return (
        reply
          .header('content-type', cover.type)
          .header('content-length', cover.sizeBytes)
          .header('etag', cover.etag)
          .header('cache-control', 'public, max-age=86400')
          .header('x-content-type-options', 'nosniff')
          // Shown by the LMS's pages, on another origin.
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(cover.stream)
      );
    },
  );
}

async function pickerRoutes(app: App, service: DeepLinking): Promise<void> {
  const rateLimited = await ltiPageScope(app, FORM_MESSAGE, 'LTI 1.3 deep linking failed');

  app.post(
    '/lti/1.3/deep-link',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti13'],
        summary: 'The title picker of a deep linking request: search it (action=search), or answer the LMS (action=add, or cancel for no items)',
        description:
          'Form fields: token (the picker page carries it), q, item (repeated: book:<id> or collection:<id>), action. `add` and `cancel` use the token up and answer a page that form-posts the signed LtiDeepLinkingResponse (field JWT) to the deep_link_return_url. A used or expired token answers 410; an item that is not the customer’s, or two where the LMS takes one, shows the picker again with the problem (404, 400).',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 200: Type.String(), 400: Type.String(), 404: Type.String(), 410: Type.String() },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', FORM_MESSAGE);
      const form = new URLSearchParams(request.body);
      const token = form.get('token') ?? '';
      const search = form.get('q') ?? '';
      const selected = form.getAll('item');
      const action = form.get('action');
      if (action !== 'add' && action !== 'cancel') return sendPicker(reply, service, token, { search, selected });
      try {
        const response = await service.respond(token, action === 'cancel' ? [] : selected);
        request.log.info({ items: response.items }, 'LTI 1.3 deep linking answered');
        return sendResponsePage(reply, response);
      } catch (err) {
        // A choice the picker can correct: shown again, the token still good.
        if (err instanceof AppError && (err.code === 'VALIDATION_FAILED' || err.code === 'NOT_FOUND')) {
          const problem = err.fields[0]?.message ?? `${err.message} It is not in your organisation’s library.`;
          return sendPicker(reply, service, token, { search, selected, problem, status: err.status });
        }
        throw err;
      }
    },
  );
}

// The page that carries the signed response to the LMS: posted at once, a button if scripts are off.
function sendResponsePage(reply: FastifyReply, response: DeepLinkResponse) {
  const nonce = crypto.randomBytes(16).toString('base64');
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors *`;
  const what = response.items === 0 ? 'Returning to your course without adding anything…' : `Adding ${response.items === 1 ? '1 item' : `${response.items} items`} to your course…`;
  const body = `<form method="post" action="${escapeHtml(response.returnUrl)}" id="answer"><input type="hidden" name="JWT" value="${escapeHtml(response.jwt)}"><p>${what}</p><button class="button primary" type="submit">Continue</button></form>
<script nonce="${nonce}">document.getElementById('answer').submit();</script>`;
  return sendHtml(reply, 200, csp, page('Adding to your course', body));
}

function sendHtml(reply: FastifyReply, status: number, csp: string, html: string) {
  reply.raw.removeHeader('x-frame-options');
  return reply.status(status).header('content-security-policy', csp).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

function pickerHtml(token: string, view: PickerView, problem: string): string {
  const input = view.acceptMultiple ? 'checkbox' : 'radio';
  const card = (item: PickerItem) => {
    const cover = item.coverUrl
      ? `<img src="${escapeHtml(item.coverUrl)}" alt="" loading="lazy">`
      : `<span class="placeholder" aria-hidden="true">${escapeHtml(item.kind === 'collection' ? '▤' : (item.title.trim()[0] ?? '?').toUpperCase())}</span>`;
    return `<li><label class="card ${item.kind}"><input type="${input}" name="item" value="${escapeHtml(item.ref)}"${item.selected ? ' checked' : ''}><span class="cover">${cover}</span><span class="text"><span class="title">${escapeHtml(item.title)}</span><span class="detail">${escapeHtml(item.detail)}</span></span></label></li>`;
  };
  const section = (heading: string, items: PickerItem[], note = '') => (items.length ? `<section><h2>${heading}</h2><ul class="grid">${items.map(card).join('')}</ul>${note}</section>` : '');
  const more = view.booksTotal > view.books.length ? `<p class="note">Showing ${view.books.length} of ${view.booksTotal} titles. Search to find the others.</p>` : '';
  const empty =
    !view.books.length && !view.collections.length
      ? `<p class="empty">${view.search ? `Nothing in your library matches “${escapeHtml(view.search)}”.` : 'Your organisation has no titles in Lectern yet.'}</p>`
      : '';
  const hint = view.acceptMultiple ? 'Choose one or more titles or collections to add to your course.' : 'Choose a title or collection to add to your course.';
  const body = `<form method="post" action="/lti/1.3/deep-link" class="picker">
<header><h1>Add from Lectern</h1><p>${hint}</p>
<div class="search" role="search"><label for="q">Search your library</label><div class="row"><input type="search" id="q" name="q" value="${escapeHtml(view.search)}" placeholder="Title or author" autocomplete="off"><button class="button secondary" type="submit" name="action" value="search">Search</button></div></div></header>
<input type="hidden" name="token" value="${escapeHtml(token)}">
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
${section('Chosen earlier', view.carried)}${section('Titles', view.books, more)}${section('Collections', view.collections)}${empty}
<footer><button class="button secondary" type="submit" name="action" value="cancel">Cancel</button><button class="button primary" type="submit" name="action" value="add">Add to course</button></footer>
</form>`;
  return page('Add from Lectern', body);
}

const STYLE = `*{box-sizing:border-box}body{font:15px/1.45 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9;margin:0}
.picker{max-width:64rem;margin:0 auto;padding:1.25rem 1rem 5.5rem}header h1{font-size:1.3rem;margin:0 0 .25rem}header p{margin:0 0 1rem;color:#57606a}
.search label{display:block;font-weight:600;margin-bottom:.35rem}.row{display:flex;gap:.5rem}.row input{flex:1;font:inherit;padding:.55rem .75rem;border:1px solid #8c959f;border-radius:6px;background:#fff}
h2{font-size:1rem;margin:1.5rem 0 .6rem}.grid{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.9rem}
.card{position:relative;display:flex;flex-direction:column;height:100%;background:#fff;border:2px solid #d0d7de;border-radius:8px;padding:.5rem;cursor:pointer}
.card:hover{border-color:#8c959f}.card:has(input:checked){border-color:#0b5cad;box-shadow:0 0 0 3px #cfe3f7}.card:has(input:focus-visible){outline:3px solid #f0b400;outline-offset:2px}
.card input{position:absolute;top:.7rem;left:.7rem;width:1.15rem;height:1.15rem;margin:0;accent-color:#0b5cad}
.cover{display:flex;align-items:center;justify-content:center;aspect-ratio:2/3;border-radius:4px;overflow:hidden;background:#e7ecf2}.cover img{width:100%;height:100%;object-fit:cover}
.placeholder{font-size:2.4rem;font-weight:700;color:#6e7781}.collection .cover{aspect-ratio:3/2;background:#e3eefa}
.text{display:flex;flex-direction:column;margin-top:.5rem}.title{font-weight:600;overflow-wrap:anywhere}.detail{color:#57606a;font-size:.875rem}
.note,.empty{color:#57606a}.problem{background:#fff1f0;border:1px solid #cf222e;color:#82071e;border-radius:6px;padding:.6rem .8rem}
footer{position:fixed;left:0;right:0;bottom:0;display:flex;justify-content:flex-end;gap:.6rem;padding:.8rem max(1rem,calc((100% - 62rem)/2));background:#fff;border-top:1px solid #d0d7de}
.button{font:inherit;font-weight:600;padding:.55rem 1.1rem;border-radius:6px;cursor:pointer;border:1px solid transparent}.primary{background:#0b5cad;color:#fff}.secondary{background:#fff;color:#1b1f24;border-color:#8c959f}
.button:focus-visible{outline:3px solid #f0b400;outline-offset:2px}#answer{max-width:36rem;margin:2rem auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Lectern</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}
