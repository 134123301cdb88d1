/*
 * The data inventory stays true as the schema grows (issue 16). docs/privacy.md lists every table of
 * the database under a `### \`table\`` heading of its section "The database, table by table", and
 * every column either in a personal field row (first cell `table.column`, last cell its NDPA
 * Exhibit B categories) or on the table's **Not personal:** line. This test migrates a fresh
 * database on each dialect, reads the live schema, and fails on any table or column the document
 * does not list, any it lists that does not exist, a column listed under another table or twice, a
 * personal field without a known Exhibit B category, and a table with personal fields that does not
 * say how long they are kept, who sees them, and how they are exported and erased.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { describeEachDialect } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

const DOC = new URL('../../docs/privacy.md', import.meta.url);
const DATABASE_HEADING = '## The database, table by table';
const EXHIBIT_HEADING = '## Exhibit B';
/** What a table with personal fields must say about them, as `- **Kept:** …` lines. */
const REQUIRED_LINES = ['Kept', 'Seen by', 'Exported', 'Erased'] as const;

type Schema = Map<string, string[]>;

interface Listing {
  /** `table.column` */
  column: string;
  /** The `### \`table\`` section it is listed under. */
  section: string;
  /** Exhibit B categories of a personal field; null on a Not personal line. */
  categories: string[] | null;
}

interface Inventory {
  /** The Exhibit B categories (first cells of that section's table). */
  categories: Set<string>;
  /** Table sections, by table name: what each says of its personal fields. */
  sections: Map<string, Set<string>>;
  listings: Listing[];
}

// The lines of a `## ` section, up to the next `## ` heading.
function sectionLines(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

// The cells of a table row; null for other lines, the header and the separator row.
function rowCells(line: string, header: string): string[] | null {
  if (!line.startsWith('|') || /^\|\s*:?-/.test(line)) return null;
  const cells = line
    .slice(1, line.trimEnd().endsWith('|') ? line.trimEnd().length - 1 : undefined)
    .split('|')
    .map((c) => c.trim());
  return cells[0] === header ? null : cells;
}

const columnsIn = (text: string) => [...text.matchAll(/`([a-z0-9_]+\.[a-z0-9_]+)`/g)].map((m) => m[1]!);

// Reads the Exhibit B categories and the database section of docs/privacy.md.
function readInventory(markdown: string): Inventory {
  const categories = new Set(sectionLines(markdown, EXHIBIT_HEADING).flatMap((l) => rowCells(l, 'Category')?.[0] ?? []));
  const sections = new Map<string, Set<string>>();
  const listings: Listing[] = [];
  let section = '';
  let notPersonal = false;
  for (const line of sectionLines(markdown, DATABASE_HEADING)) {
    const heading = /^### `([a-z0-9_]+)`/.exec(line);
    if (heading) {
      section = heading[1]!;
      sections.set(section, new Set());
      notPersonal = false;
      continue;
    }
    if (!section) continue;
    const said = /^- \*\*([A-Za-z ]+):\*\*/.exec(line);
    if (said) sections.get(section)!.add(said[1]!);
    // A Not personal line runs to the end of its paragraph.
    if (line.startsWith('**Not personal:**')) notPersonal = true;
    else if (!line.trim()) notPersonal = false;
    if (notPersonal) {
      for (const column of columnsIn(line)) listings.push({ column, section, categories: null });
      continue;
    }
    const cells = rowCells(line, 'Field');
    if (!cells) continue;
    const named = cells
      .at(-1)!
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    for (const column of columnsIn(cells[0]!)) listings.push({ column, section, categories: named });
  }
  return { categories, sections, listings };
}

// Everything in which the inventory and the schema disagree, one line each, naming `table.column`.
function inventoryProblems(schema: Schema, inventory: Inventory): string[] {
  const problems: string[] = [];
  const listed = new Map<string, Listing>();
  for (const l of inventory.listings) {
    const [table] = l.column.split('.');
    const earlier = listed.get(l.column);
    if (earlier) problems.push(`${l.column} is listed twice${earlier.section === l.section ? '' : ` (under ${earlier.section} and ${l.section})`}`);
    listed.set(l.column, l);
    if (table !== l.section) problems.push(`${l.column} is listed under the section of ${l.section}; move it to "### \`${table}\`"`);
    if (!schema.get(table!)?.includes(l.column.slice(table!.length + 1))) problems.push(`${l.column} is listed but the database has no such column; remove it`);
    const unknown = (l.categories ?? []).filter((c) => !inventory.categories.has(c));
    if (l.categories && (!l.categories.length || unknown.length)) {
      problems.push(`${l.column}: its Exhibit B cell must name categories of the Exhibit B table${unknown.length ? `, not ${unknown.map((c) => `"${c}"`).join(', ')}` : ''}`);
    }
  }
  for (const [table, columns] of schema) {
    if (!inventory.sections.has(table)) problems.push(`table ${table} has no section "### \`${table}\`"`);
    for (const c of columns) {
      if (!listed.has(`${table}.${c}`)) problems.push(`${table}.${c} is not listed: add it to a personal field row of "### \`${table}\`", or to its Not personal line`);
    }
  }
  for (const [table, said] of inventory.sections) {
    if (!schema.has(table)) problems.push(`section "### \`${table}\`" names a table the database does not have; remove it`);
    const personal = inventory.listings.some((l) => l.section === table && l.categories);
    const missing = REQUIRED_LINES.filter((line) => !said.has(line));
    if (personal && missing.length) problems.push(`${table} has personal fields but no ${missing.map((m) => `"- **${m}:**"`).join(', ')} line`);
  }
  return problems;
}

// Every table and its columns, as the migrations leave a fresh database (Kysely's introspection
// leaves out its own migration tables; on PostgreSQL only Lectern's schema, not graphile-worker's).
async function liveSchema(test: TestDatabase): Promise<Schema> {
  const db = openDatabase(test.url);
  try {
    await migrateToLatest(db);
    const tables = (await db.kysely.introspection.getTables()).filter((t) => !t.isView && (t.schema === undefined || t.schema === 'public'));
    return new Map(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  } finally {
    await db.close();
  }
}

describeEachDialect('docs/privacy.md lists every table and column of the database', (dialect) => {
  let test: TestDatabase;
  let schema: Schema;
  before(async () => {
    test = await createTestDatabase(dialect);
    schema = await liveSchema(test);
  });
  after(() => test?.drop());

  it('every column is a personal field or not personal, and every personal field says what Exhibit B asks', () => {
    assert.ok(schema.size > 40 && schema.get('users')?.includes('given_name'), 'the live schema was read');
    const inventory = readInventory(fs.readFileSync(DOC, 'utf8'));
    assert.ok(inventory.categories.has('Student name') && inventory.categories.size >= 20, 'the Exhibit B categories were read');
    const problems = inventoryProblems(schema, inventory);
    assert.deepEqual(problems, [], `docs/privacy.md is out of step with the ${dialect} schema:\n- ${problems.join('\n- ')}`);
  });
});

describe('the inventory check', () => {
  // A small document and schema, so each kind of drift is shown to be caught, whatever the real ones hold.
  const schema: Schema = new Map([
    ['people', ['id', 'name', 'created_at']],
    ['notes', ['id']],
  ]);
  const doc = (people: string, extra = '') => `# Inventory

## Exhibit B: schedule of data

| Category | Collected |
| --- | --- |
| Student name | Yes |
| Student identifiers | Yes |

## The database, table by table

### \`people\`

${people}

### \`notes\`

**Not personal:** \`notes.id\`
${extra}
## Logs

| Field | Holds | Why | Exhibit B |
| --- | --- | --- | --- |
| \`people.shoe_size\` | outside the database section | ignored | Student name |
`;
  const lines = '- **Kept:** a while.\n- **Seen by:** admins.\n- **Exported:** roster.\n- **Erased:** with the person.';
  const row = (cell: string, categories = 'Student identifiers, Student name') => `| Field | Holds | Why | Exhibit B |\n| --- | --- | --- | --- |\n| ${cell} | x | y | ${categories} |`;
  const good = `${lines}\n\n${row('`people.id`, `people.name`')}\n\n**Not personal:**\n\`people.created_at\``;
  const check = (markdown: string) => inventoryProblems(schema, readInventory(markdown));

  it('passes a document that lists every column once, under its table, with its categories and lines', () => {
    assert.deepEqual(check(doc(good)), []);
  });

  it('names the column a new migration added and the document does not list', () => {
    assert.deepEqual(inventoryProblems(new Map([...schema, ['people', [...schema.get('people')!, 'birth_date']]]), readInventory(doc(good))), [
      'people.birth_date is not listed: add it to a personal field row of "### `people`", or to its Not personal line',
    ]);
  });

  it('names a table with no section, and a section or column the database no longer has', () => {
    assert.deepEqual(inventoryProblems(new Map([...schema, ['grades', ['id']]]), readInventory(doc(good))), [
      'table grades has no section "### `grades`"',
      'grades.id is not listed: add it to a personal field row of "### `grades`", or to its Not personal line',
    ]);
    assert.deepEqual(check(doc(good.replace('`people.created_at`', '`people.created_at`, `people.nickname`'), '\n### `scores`\n')), [
      'people.nickname is listed but the database has no such column; remove it',
      'section "### `scores`" names a table the database does not have; remove it',
    ]);
  });

  it('names a column listed twice or under another table', () => {
    assert.deepEqual(check(doc(`${good}, \`people.name\``)), ['people.name is listed twice']);
    assert.deepEqual(check(doc(good.replace('`people.created_at`', ''), '\n**Not personal:** `people.created_at`\n')), [
      'people.created_at is listed under the section of notes; move it to "### `people`"',
    ]);
  });

  it('names a personal field without a known Exhibit B category, and a personal table that does not say how it is kept, seen, exported and erased', () => {
    assert.deepEqual(check(doc(good.replace('Student identifiers, Student name', 'Shoe sizes'))), [
      'people.id: its Exhibit B cell must name categories of the Exhibit B table, not "Shoe sizes"',
      'people.name: its Exhibit B cell must name categories of the Exhibit B table, not "Shoe sizes"',
    ]);
    assert.deepEqual(check(doc(good.replace('- **Seen by:** admins.\n', '').replace('- **Erased:** with the person.', ''))), [
      'people has personal fields but no "- **Seen by:**", "- **Erased:**" line',
    ]);
  });
});
