/*
 * manifest.csv: the OneRoster version and a mode for every file. Deviations seen in real bundles
 * (quoted keys, blank values, typo keys, `1.2.1`) are tolerated with warnings; anything that would
 * leave the mode of a present file or the version unknown is left for the reader to judge, since
 * that depends on which files the zip holds.
 */
import { nearest } from './fields.js';
import type { IssueCollector } from './issues.js';
import { FILE_MODES, manifestFiles, VERSIONS, type FileMode, type Version } from './spec.js';

/** What the manifest declares. */
export interface Manifest {
  /** null when missing (the reader infers it); an unsupported version is a structural issue here. */
  version: Version | null;
  /** The mode of each `file.<name>` key; null when the value is blank or not a mode. */
  modes: Map<string, FileMode | null>;
}

const FILE = 'manifest.csv';
const FIXED_KEYS = ['manifest.version', 'oneroster.version', 'source.systemName', 'source.systemCode'];
const FILE_KEYS = manifestFiles('1.2').map((f) => `file.${f}`);
const KNOWN_KEYS = new Set([...FIXED_KEYS, ...FILE_KEYS]);

/** Reads the rows of manifest.csv (header first); null after a structural issue. */
export function readManifest(rows: readonly { cells: string[]; line: number }[], issues: IssueCollector): Manifest | null {
  const [header, ...body] = rows;
  if (!header || header.cells.join(',') !== 'propertyName,value') {
    issues.add('manifest.header', `manifest.csv must start with the header propertyName,value${header ? `, not ${header.cells.join(',')}` : ''}.`, { file: FILE, line: 1 });
    return null;
  }
  const values = new Map<string, { value: string; line: number }>();
  let usable = true;
  for (const { cells, line } of body) {
    if (cells.length === 1 && cells[0] === '') continue;
    const [key = '', value = '', ...extra] = cells;
    if (cells.length !== 2) {
      issues.add('manifest.bad_row', `Line ${line} has ${cells.length} cells; a manifest row is propertyName,value.`, { file: FILE, line });
      if (extra.some((c) => c !== '') || cells.length < 2) continue;
    }
    if (values.has(key)) {
      issues.add('manifest.duplicate_key', `${key} is set twice (lines ${values.get(key)?.line} and ${line}).`, { file: FILE, line, column: key });
      usable = false;
      continue;
    }
    values.set(key, { value, line });
    if (!KNOWN_KEYS.has(key)) {
      const hint = nearest(key, KNOWN_KEYS);
      issues.add('manifest.unknown_key', `${key} is not a manifest property${hint ? ` (did you mean ${hint}?)` : ''}; it was ignored.`, { file: FILE, line, column: key });
    }
  }
  if (!usable) return null;

  const get = (key: string) => values.get(key);
  const manifestVersion = get('manifest.version');
  if (!manifestVersion) issues.add('manifest.missing_key', 'manifest.version is missing (it should be 1.0).', { file: FILE, column: 'manifest.version' });
  else if (manifestVersion.value !== '1.0') {
    issues.add('manifest.bad_value', `manifest.version is ${manifestVersion.value}; OneRoster manifests are version 1.0.`, { file: FILE, line: manifestVersion.line, column: 'manifest.version' });
  }

  let version: Version | null = null;
  const declared = get('oneroster.version');
  if (!declared) issues.add('manifest.missing_key', 'oneroster.version is missing; the version was inferred from the files.', { file: FILE, column: 'oneroster.version' });
  else if ((VERSIONS as readonly string[]).includes(declared.value)) version = declared.value as Version;
  else if (declared.value === '1.2.1') {
    version = '1.2';
    issues.add('manifest.bad_value', 'oneroster.version 1.2.1 was read as 1.2 (1.2.1 bundles declare 1.2).', { file: FILE, line: declared.line, column: 'oneroster.version' });
  } else {
    issues.add('manifest.version', `oneroster.version ${declared.value || '(blank)'} is not supported; Lectern reads 1.1 and 1.2.`, { file: FILE, line: declared.line, column: 'oneroster.version' });
    return null;
  }

  const modes = new Map<string, FileMode | null>();
  const missing: string[] = [];
  for (const file of manifestFiles(version ?? '1.2')) {
    const entry = get(`file.${file}`);
    if (!entry) {
      if (version) missing.push(`file.${file}`);
      continue;
    }
    modes.set(file, modeOf(file, entry.value, entry.line, issues));
  }
  if (missing.length) issues.add('manifest.missing_key', `The manifest does not declare ${missing.join(', ')}; read as absent unless the file is present.`, { file: FILE, column: missing.join(',') });
  return { version, modes };
}

function modeOf(file: string, value: string, line: number, issues: IssueCollector): FileMode | null {
  if ((FILE_MODES as readonly string[]).includes(value)) return value as FileMode;
  const column = `file.${file}`;
  const lower = value.trim().toLowerCase();
  if ((FILE_MODES as readonly string[]).includes(lower)) {
    issues.add('manifest.bad_value', `${column} ${value} was read as ${lower}.`, { file: FILE, line, column });
    return lower as FileMode;
  }
  issues.add('manifest.bad_value', `${column} is ${value === '' ? 'blank' : value}, not bulk, delta or absent.`, { file: FILE, line, column });
  return null;
}
