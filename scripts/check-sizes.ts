/**
 * The size rules of docs/architecture.md, run by npm test: no source file over 300 lines (tests and
 * generated files aside), and no route handler over 40 lines (a function passed to an Express
 * router's get/post/put/patch/delete/all/use). A long handler is a use case or a view in disguise:
 * move its rule into the feature's use-cases and its HTML into views/.
 *
 *   npm run lint:sizes
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
export const MAX_FILE_LINES = 300;
export const MAX_HANDLER_LINES = 40;
const SOURCE_DIRS = [
  'contracts',
  'domain',
  'workflows',
  'activities',
  'db',
  'server',
  'notifications',
  'codec',
  'schedules',
  'scripts',
  'simulation',
  'bench',
  'migrations',
];
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'use']);

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Problems of one file's text: the file's length, and each route handler's. */
export function sizeProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > MAX_FILE_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_FILE_LINES})`);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ROUTE_METHODS.has(node.expression.name.text) &&
      node.arguments.length >= 2 &&
      ts.isStringLiteralLike(node.arguments[0]!)
    ) {
      const route = `${node.expression.name.text.toUpperCase()} ${node.arguments[0].text}`;
      for (const arg of node.arguments.slice(1)) {
        if (!ts.isArrowFunction(arg) && !ts.isFunctionExpression(arg)) continue;
        const n = lineOf(arg.getEnd()) - lineOf(arg.getStart(sf)) + 1;
        if (n > MAX_HANDLER_LINES)
          problems.push(
            `${file}:${lineOf(arg.getStart(sf))}: the handler of ${route} is ${n} lines (at most ${MAX_HANDLER_LINES})`,
          );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

function main() {
  const problems = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d))).flatMap((f) =>
    sizeProblems(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')),
  );
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} size problem(s)`);
    process.exit(1);
  }
}

if (require.main === module) main();
