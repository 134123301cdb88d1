/*
 * Every word the console and the reader show comes from the language catalogues (web/src/i18n), so
 * adding a language is adding a file. This walks each .tsx file of web/src with the TypeScript
 * compiler and fails on user-visible literal text: JSX text, strings in the props and object fields
 * people read (aria-label, title, placeholder, alt, label, hint, table headers…), a page's title and
 * messages put into state. It also fails when a key the code asks for (t('ns:key'), <Trans
 * i18nKey>) is not in en.json. (i18n-catalogues.test.ts keeps the other languages equal to English.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import ts from 'typescript';

const WEB = path.resolve(import.meta.dirname, '../../web/src');

// Props and object fields whose string values people read or hear.
const USER_PROPS = new Set([
  'aria-label',
  'aria-description',
  'aria-valuetext',
  'aria-roledescription',
  'title',
  'placeholder',
  'alt',
  'label',
  'hint',
  'header',
  'caption',
  'subtitle',
  'lead',
  'footer',
  'prompt',
  'description',
  'detail',
  'confirmLabel',
  'submitLabel',
  'closeLabel',
  'loginLabel',
  'loginHint',
  'missing',
  'message',
]);
// Elements whose text is code or keys, the same in every language.
const CODE_ELEMENTS = new Set(['code', 'kbd', 'samp']);
// Words that are names, not language.
const NAMES = new Set(['Lectern']);

/** True for text a person reads as words: letters, and not a name, an acronym, a URL, a path or an example value. */
function isWords(text: string): boolean {
  const s = text.trim();
  if (!/\p{L}/u.test(s) || NAMES.has(s)) return false;
  // Acronyms and codes: LTI 1.3, US, EPUB, a PEM header.
  if (!/\p{Ll}/u.test(s)) return false;
  // Technical values: https://…, roster.zip, @lincoln, SHA256:…
  if (!/\s/.test(s) && /[./@:_#\d]/.test(s)) return false;
  return true;
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

// The literal text an expression can evaluate to, through ?:, &&, ||, ??, +, templates and parentheses.
function literalTexts(node: ts.Expression): ts.Node[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node];
  if (ts.isTemplateExpression(node)) return [node.head, ...node.templateSpans.flatMap((s) => [...literalTexts(s.expression), s.literal])];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node)) return literalTexts(node.expression);
  if (ts.isConditionalExpression(node)) return [...literalTexts(node.whenTrue), ...literalTexts(node.whenFalse)];
  if (
    ts.isBinaryExpression(node) &&
    [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.PlusToken].includes(node.operatorToken.kind)
  ) {
    return [...(node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? [] : literalTexts(node.left)), ...literalTexts(node.right)];
  }
  return [];
}

const textOf = (node: ts.Node): string => (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateLiteralToken(node) ? node.text : '');
const propName = (name: ts.Node): string => (ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : '');

function insideCode(node: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isJsxElement(p) && CODE_ELEMENTS.has(p.openingElement.tagName.getText())) return true;
  }
  return false;
}

/** The user-visible literal text in one TSX source. */
export function literalText(file: string, source: string): Finding[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Finding[] = [];
  const report = (node: ts.Node, text: string) => {
    if (isWords(text) && !insideCode(node)) found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: text.trim() });
  };
  const reportExpression = (expr: ts.Expression | undefined) => {
    if (expr) for (const lit of literalTexts(expr)) report(lit, textOf(lit));
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) report(node, node.text);
    // {'text'} and {cond ? 'a' : 'b'} as children.
    else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) reportExpression(node.expression);
    else if (ts.isJsxAttribute(node) && USER_PROPS.has(node.name.getText(sf)) && node.initializer) {
      if (ts.isStringLiteral(node.initializer)) report(node.initializer, node.initializer.text);
      else if (ts.isJsxExpression(node.initializer)) reportExpression(node.initializer.expression);
    } else if (ts.isPropertyAssignment(node) && USER_PROPS.has(propName(node.name))) reportExpression(node.initializer);
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const callee = node.expression.text;
      // A page's title, and sentences put into state (an error, a notice) to be shown.
      if (callee === 'useTitle') reportExpression(node.arguments[0]);
      else if (/^set[A-Z]/.test(callee)) for (const arg of node.arguments) for (const lit of literalTexts(arg)) if (/\s/.test(textOf(lit).trim())) report(lit, textOf(lit));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function* sources(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path.relative(WEB, full).split(path.sep).join('/');
  }
}

const files = [...sources(WEB)];
const read = (file: string) => fs.readFileSync(path.join(WEB, file), 'utf8');

it('no .tsx file of the console or the reader shows literal text', () => {
  const found = files.filter((f) => f.endsWith('.tsx')).flatMap((f) => literalText(f, read(f)));
  assert.deepEqual(
    found.map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.text)}`),
    [],
    'Put these words in web/src/i18n/en.json (and every other language) and show them with t()',
  );
});

it('the check itself finds JSX text, user-facing props and fields, titles and messages, and lets names, codes and keys through', () => {
  const sample = `
    export function P({ n }: { n: number }) {
      useTitle('Account');
      setError('Enter a name.');
      setTab('users');
      const columns = [{ header: 'Name', cell: () => null }, { value: 'x', label: \`\${n} items\` }];
      return (
        <div title="Tip" className="big words here" aria-label={n ? 'Close it' : 'Open it'}>
          Hello
          {n > 1 ? 'many' : null}
          <code>Authorization: Bearer token</code>
          <input placeholder="https://sis.example.org/x" alt="LTI 1.3" />
          <span aria-hidden="true">L</span> Lectern {t('ui:cancel')}
        </div>
      );
    }`;
  assert.deepEqual(
    literalText('sample.tsx', sample).map((f) => f.text),
    ['Account', 'Enter a name.', 'Name', 'items', 'Tip', 'Close it', 'Open it', 'Hello', 'many'],
  );
});

// --- The keys the code asks for exist ---

type Tree = { [key: string]: string | Tree };
const english = JSON.parse(read('i18n/en.json')) as Record<string, Tree>;
/** Every `ns:key` of a catalogue, nested keys joined with dots as i18next reads them. */
export function keysOf(catalogue: Record<string, Tree>): Set<string> {
  const out = new Set<string>();
  const walk = (prefix: string, tree: Tree) => {
    for (const [k, v] of Object.entries(tree)) {
      if (typeof v === 'string') out.add(`${prefix}${k}`);
      else walk(`${prefix}${k}.`, v);
    }
  };
  for (const [ns, tree] of Object.entries(catalogue)) walk(`${ns}:`, tree);
  return out;
}
const KEYS = keysOf(english);
const PLURALS = ['_zero', '_one', '_two', '_few', '_many', '_other'];
const exists = (key: string) => KEYS.has(key) || PLURALS.some((suffix) => KEYS.has(key + suffix));

// The namespaces `t` stands for where it is called: those of the nearest useTranslation(…) around it
// that gives that `t`, else i18next's default namespace.
function namespacesAt(node: ts.Node, tName: string): string[] {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!ts.isFunctionLike(p) && !ts.isSourceFile(p)) continue;
    // A `t` handed in as a parameter says its namespace in its type: TFunction<'shelf'>.
    const param = ts.isFunctionLike(p) ? p.parameters.find((q) => q.name.getText() === tName) : undefined;
    const typed = param?.type && ts.isTypeReferenceNode(param.type) ? param.type.typeArguments?.[0] : undefined;
    if (typed && ts.isLiteralTypeNode(typed) && ts.isStringLiteral(typed.literal)) return [typed.literal.text];
    let found: string[] | null = null;
    const look = (n: ts.Node) => {
      if (found) return;
      if (ts.isVariableDeclaration(n) && n.initializer && ts.isCallExpression(n.initializer) && n.initializer.expression.getText() === 'useTranslation' && ts.isObjectBindingPattern(n.name)) {
        const binds = n.name.elements.some((e) => e.name.getText() === tName);
        if (binds) {
          const arg = n.initializer.arguments[0];
          found = !arg ? ['common'] : ts.isStringLiteral(arg) ? [arg.text] : ts.isArrayLiteralExpression(arg) ? arg.elements.filter(ts.isStringLiteral).map((e) => e.text) : ['common'];
        }
      }
      // Only this function's own declarations, not those of functions inside it.
      if (n === p || !ts.isFunctionLike(n)) ts.forEachChild(n, look);
    };
    look(p);
    if (found) return found;
  }
  return ['common'];
}

interface KeyUse {
  file: string;
  line: number;
  key: ts.Expression;
  namespaces: string[];
}

function keyUses(file: string, source: string): KeyUse[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const uses: KeyUse[] = [];
  const line = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && node.arguments[0]) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const arg = node.arguments[0];
      if (name === 't' || name === 'exists') {
        const namespaces = ts.isIdentifier(callee) ? namespacesAt(node, callee.text) : ['common'];
        uses.push({ file, line: line(node), key: arg, namespaces });
      }
    }
    if (ts.isJsxAttribute(node) && node.name.getText(sf) === 'i18nKey' && node.initializer) {
      const key = ts.isStringLiteral(node.initializer) ? node.initializer : ts.isJsxExpression(node.initializer) ? node.initializer.expression : undefined;
      const tAttr = ts.isJsxAttributes(node.parent) ? node.parent.properties.find((a) => ts.isJsxAttribute(a) && a.name.getText(sf) === 't') : undefined;
      const tName = tAttr && ts.isJsxAttribute(tAttr) && tAttr.initializer && ts.isJsxExpression(tAttr.initializer) ? (tAttr.initializer.expression?.getText(sf) ?? 't') : 't';
      if (key) uses.push({ file, line: line(node), key, namespaces: namespacesAt(node, tName) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return uses;
}

// The keys an expression can be, as patterns: a template key (`labels:role.${role}`) matches any
// text where it varies; `a ? 'x' : 'y'` is both. Null when some key is held in a variable.
function keyPatterns(key: ts.Expression): { pattern: RegExp; literal: boolean }[] | null {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (ts.isParenthesizedExpression(key) || ts.isAsExpression(key)) return keyPatterns(key.expression);
  if (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key)) return [{ pattern: new RegExp(`^${escape(key.text)}$`), literal: true }];
  if (ts.isTemplateExpression(key)) return [{ pattern: new RegExp(`^${escape(key.head.text)}${key.templateSpans.map((s) => `.+${escape(s.literal.text)}`).join('')}$`), literal: false }];
  if (ts.isConditionalExpression(key)) {
    const a = keyPatterns(key.whenTrue);
    const b = keyPatterns(key.whenFalse);
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

it('every key the code asks for (t, exists, <Trans i18nKey>) is in en.json; a template key matches at least one', () => {
  const missing: string[] = [];
  for (const file of files) {
    for (const use of keyUses(file, read(file))) {
      for (const { pattern, literal } of keyPatterns(use.key) ?? []) {
        const source = pattern.source;
        const qualified = /^\^[\w-]+:/.test(source) ? [pattern] : use.namespaces.map((ns) => new RegExp(`^${ns}:${source.slice(1)}`));
        const ok = literal
          ? qualified.some((re) => exists(re.source.slice(1, -1).replace(/\\(.)/g, '$1')))
          : qualified.some((re) => [...KEYS].some((k) => re.test(k) || PLURALS.some((s) => k.endsWith(s) && re.test(k.slice(0, -s.length)))));
        if (!ok) missing.push(`${use.file}:${use.line}: ${source} (namespaces ${use.namespaces.join(', ')})`);
      }
    }
  }
  assert.deepEqual(missing, [], 'keys the code uses that en.json does not have');
});

it('asks for keys in code that is not dynamic: every t() key is a literal or a template', () => {
  const dynamic = files.flatMap((file) =>
    keyUses(file, read(file))
      .filter((u) => !keyPatterns(u.key))
      .map((u) => `${u.file}:${u.line}: ${u.key.getText()}`),
  );
  assert.deepEqual(dynamic, [], 'a key held in a variable cannot be checked: write it out where it is used');
});
