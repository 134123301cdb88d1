import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The WCAG 2.1 AA rule sets axe checks: level A and AA of WCAG 2.0 and of 2.1. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Minor and moderate findings are printed (so they are seen) but do not fail a test: the bar the
// project keeps is zero serious or critical violations on every page.
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Runs axe (WCAG 2.0/2.1 A and AA) on the page as it is now and throws when it finds a serious or
 * critical violation, listing each one's id, impact, help and target selectors. `label` names the
 * page state in the message. `exclude` takes CSS selectors of regions that are not Lectern's own
 * markup (e.g. a publisher's book content).
 */
export async function expectAccessible(page: Page, label: string, opts: { exclude?: string[] } = {}): Promise<void> {
  // Let a page that has just navigated finish rendering, so axe does not judge a half-drawn state.
  await page.waitForLoadState('domcontentloaded');
  // Legacy mode runs axe inside the page (and its frames) instead of finishing on a new blank page:
  // pages made by browser.newPage() (as newConsolePage does) own their context and may not open
  // another page in it, and legacy mode works the same for every way a test makes its page.
  let builder = new AxeBuilder({ page }).setLegacyMode(true);
  // axe cannot run inside a frame sandboxed without scripts (the reader's EPUB pages: a
  // publisher's content, not Lectern's markup), and trying logs a blocked-script error the reader
  // tests rightly count; on such pages only the top document is checked.
  if (await page.locator('iframe[sandbox]:not([sandbox~="allow-scripts"])').count()) builder = builder.options({ iframes: false });
  builder = builder.withTags(WCAG_AA_TAGS);
  for (const selector of opts.exclude ?? []) builder = builder.exclude(selector);
  const { violations } = await builder.analyze();
  if (!violations.length) return;
  const describe = (v: (typeof violations)[number]) =>
    `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
    v.nodes.map((n) => `      at ${n.target.map(String).join(' >> ')}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`).join('\n');
  const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact ?? ''));
  const minor = violations.filter((v) => !FAILING_IMPACTS.has(v.impact ?? ''));
  if (minor.length) console.warn(`axe: ${minor.length} minor/moderate finding(s) on "${label}" (${page.url()}):\n${minor.map(describe).join('\n')}`);
  if (failing.length) {
    throw new Error(`axe: ${failing.length} serious/critical WCAG 2.1 AA violation(s) on "${label}" (${page.url()}):\n${failing.map(describe).join('\n')}`);
  }
}
