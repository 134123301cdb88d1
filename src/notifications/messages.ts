import type { Mail } from './mailer.js';
import type { NotificationEvent } from './notification-view.js';

// E-mails carry customer names, run ids, states and counts, never a student's or teacher's data.

const escapeHtml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' })[c] ?? c);

const SOURCES: Record<string, string> = {
  upload: 'an uploaded roster file',
  cli: 'a roster file imported at the command line',
  sftp: 'the SFTP pull',
  api: 'the OneRoster API pull',
  schedule: 'the scheduled pull',
  lms: 'the Sync from LMS',
};

function sourceOf(trigger: string): string {
  return SOURCES[trigger] ?? `a ${trigger} sync`;
}

/** A run's counts as short lines ("users: 3 created, 1 deleted"), types with no change left out. */
export function countLines(counts: Record<string, Record<string, number>>): string[] {
  return Object.entries(counts).flatMap(([type, c]) => {
    const parts = Object.entries(c)
      .filter(([k, n]) => n > 0 && k !== 'unchanged')
      .map(([k, n]) => `${n} ${k}`);
    return parts.length ? [`${type}: ${parts.join(', ')}`] : [];
  });
}

/** The e-mail for one event, to a customer admin. */
export function eventMail(to: string, customerName: string, event: NotificationEvent): Mail {
  const run = event.run;
  const lines: string[] = [];
  let subject: string;
  if (event.type === 'run.failed') {
    subject = `Roster sync failed for ${customerName}`;
    lines.push(`A roster sync of ${customerName} from ${sourceOf(run?.trigger ?? '')} failed; nothing was applied.`);
    if (run?.error) lines.push(`Reason (${run.error.code}): ${run.error.message}`);
  } else if (event.type === 'run.held') {
    subject = `Roster sync for ${customerName} is waiting for approval`;
    lines.push(
      `A roster sync of ${customerName} from ${sourceOf(run?.trigger ?? '')} would make more changes than the customer's threshold allows, so it waits for a person to approve or discard it.`,
    );
    if (run?.holdReason) lines.push(`Why it waits: ${run.holdReason}`);
  } else if (event.type === 'feed.stale') {
    subject = `Roster feed of ${customerName} is stale`;
    const since = event.feed?.lastSuccessAt;
    lines.push(`${customerName} has had no successful roster sync for two of its sync periods${since ? ` (last success ${since})` : ' (none yet)'}.`);
    if (run) lines.push(`Its last sync ended ${run.status.replaceAll('_', ' ')}${run.error ? `: ${run.error.message}` : '.'}`);
  } else {
    subject = `Test notification for ${customerName}`;
    lines.push('This is a test notification from Lectern.');
  }
  if (run) {
    lines.push(`Run: ${run.id}`);
    const counts = countLines(run.counts);
    if (counts.length) lines.push(`Changes: ${counts.join('; ')}`);
    const issues = run.issueCounts;
    if (issues.error || issues.warning) lines.push(`Issues: ${issues.error} errors, ${issues.warning} warnings`);
  }
  const link = run?.url;
  const text = [...lines, ...(link ? ['', `Open the run in the console: ${link}`] : []), '', `You get this e-mail because of your notification preferences in Lectern.`].join('\n');
  const html = `<!doctype html><html><body style="font-family: sans-serif">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}${
    link ? `<p><a href="${escapeHtml(link)}">Open the run in the console</a></p>` : ''
  }<p style="color:#555">You get this e-mail because of your notification preferences in Lectern.</p></body></html>`;
  return { to, subject: `[Lectern] ${subject}`, text, html };
}

/** What the daily digest reports. */
export interface DigestContent {
  day: string;
  failed: { customer: string; runId: string; trigger: string; error: string; finishedAt: string | null; url: string }[];
  held: { customer: string; runId: string; since: string; url: string }[];
  stale: { customer: string; lastSuccessAt: string | null }[];
}

/** The enterprise admin's daily digest of every customer's failures, held runs and stale feeds. */
export function digestMail(to: string, d: DigestContent): Mail {
  const sections: { title: string; rows: { text: string; url?: string }[] }[] = [
    {
      title: `Failed syncs in the last 24 hours (${d.failed.length})`,
      rows: d.failed.map((f) => ({ text: `${f.customer}: ${sourceOf(f.trigger)} failed${f.finishedAt ? ` at ${f.finishedAt}` : ''}: ${f.error} (run ${f.runId})`, url: f.url })),
    },
    { title: `Syncs waiting for approval (${d.held.length})`, rows: d.held.map((h) => ({ text: `${h.customer}: waiting since ${h.since} (run ${h.runId})`, url: h.url })) },
    { title: `Stale feeds (${d.stale.length})`, rows: d.stale.map((s) => ({ text: `${s.customer}: last success ${s.lastSuccessAt ?? 'never'}` })) },
  ];
  const text = [`Lectern daily digest for ${d.day}`, ...sections.flatMap((s) => ['', s.title, ...(s.rows.length ? s.rows.map((r) => `- ${r.text}${r.url ? ` ${r.url}` : ''}`) : ['- none'])])].join(
    '\n',
  );
  const html = `<!doctype html><html><body style="font-family: sans-serif"><h1>Lectern daily digest for ${escapeHtml(d.day)}</h1>${sections
    .map(
      (s) =>
        `<h2>${escapeHtml(s.title)}</h2><ul>${
          s.rows.length ? s.rows.map((r) => `<li>${escapeHtml(r.text)}${r.url ? ` <a href="${escapeHtml(r.url)}">open</a>` : ''}</li>`).join('') : '<li>none</li>'
        }</ul>`,
    )
    .join('')}</body></html>`;
  const problems = d.failed.length + d.held.length + d.stale.length;
  return { to, subject: `[Lectern] Daily digest ${d.day}: ${problems === 0 ? 'no problems' : `${d.failed.length} failed, ${d.held.length} waiting, ${d.stale.length} stale`}`, text, html };
}
