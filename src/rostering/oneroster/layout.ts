/*
 * Which zip entry is which OneRoster file. Bundles arrive zipped at the root (as the spec says) or
 * inside one folder (what "Compress folder" produces); names are case-sensitive, so a wrong-case
 * name is an error with the right name in the message rather than a silently missing file.
 */
import type { IssueCollector } from './issues.js';
import { ENTITY_FILES, IGNORED_FILES, type EntityFile } from './spec.js';
import type { ZipEntryInfo } from './zip.js';

/** The roster files of a zip, by OneRoster name (without `.csv`). */
export interface BundleLayout {
  manifest: ZipEntryInfo | null;
  entities: Map<EntityFile, ZipEntryInfo>;
  /** Gradebook and resources files present (recognised, never read). */
  ignored: string[];
}

const KNOWN = new Map<string, string>(['manifest', ...ENTITY_FILES, ...IGNORED_FILES['1.2']].map((name) => [`${name}.csv`.toLowerCase(), `${name}.csv`]));
const ENTITY_NAMES: ReadonlySet<string> = new Set(ENTITY_FILES);

// Archivers add these; they are never roster data and not worth a warning.
function isJunk(name: string): boolean {
  return name.startsWith('__MACOSX/') || /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini)$/.test(name);
}

/** Sorts the entries of a zip into roster files, reporting folders, wrong case and unknown names. */
export function layoutOf(entries: readonly ZipEntryInfo[], issues: IssueCollector): BundleLayout {
  const layout: BundleLayout = { manifest: null, entities: new Map(), ignored: [] };
  const files = entries.filter((e) => !isJunk(e.name));
  if (files.length < entries.length) issues.add('zip.ignored_entry', `${entries.length - files.length} archiver file(s) such as __MACOSX/ or .DS_Store were skipped.`);
  const folder = commonFolder(files);
  if (folder) issues.add('zip.top_level_folder', `The files are inside the folder ${folder}; OneRoster puts them at the zip root. They were read from the folder.`);
  for (const entry of files) {
    const name = folder ? entry.name.slice(folder.length) : entry.name;
    const known = KNOWN.get(name.toLowerCase());
    if (known === undefined || name.includes('/')) {
      issues.add('file.unknown_name', `${entry.name} is not a OneRoster file and was skipped.`, { file: entry.name });
    } else if (known !== name) {
      issues.add('file.wrong_case', `${entry.name} must be named ${known}: OneRoster file names are case-sensitive.`, { file: entry.name });
    } else {
      const base = name.slice(0, -'.csv'.length);
      if (base === 'manifest') layout.manifest = entry;
      else if (ENTITY_NAMES.has(base)) layout.entities.set(base as EntityFile, entry);
      else layout.ignored.push(base);
    }
  }
  return layout;
}

// "roster/" when every file sits directly or deeper inside that one folder, else "".
function commonFolder(files: readonly ZipEntryInfo[]): string {
  const first = files[0]?.name;
  const slash = first?.indexOf('/') ?? -1;
  if (first === undefined || slash < 0) return '';
  const folder = first.slice(0, slash + 1);
  return files.every((f) => f.name.startsWith(folder)) ? folder : '';
}
