// eval-expr.mjs — evaluate GitHub Actions expressions with GitHub's TypeScript evaluator
// (@actions/expressions, pinned in the repository's package.json), for differential tests.
// Based on the script in the shared conformance/ORACLE.md.
//
// Input: one case per line on stdin (JSON):
//   {"expr": "...", "contexts": {...}, "jobStatus"?: "success" | "failure" | "cancelled"}
//   `contexts` is plain JSON; its top-level keys are the names the parser accepts.
//   `jobStatus` adds success(), failure(), cancelled(), always() (GitHub's runner supplies
//   them; they are not built into @actions/expressions).
// Output: one line per case, in order:
//   {"result": {"kind": "Null|Boolean|Number|String|Array|Object", "value": <json>},
//    "string": <the result as ${{ }} interpolation prints it>}
//   or {"err": {"kind": "lexing|parsing|evaluation", "value": "<message>"}}
//   Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity".
// Usage: node tests/oracle/eval-expr.mjs < cases.jsonl
import {Lexer, Parser, Evaluator, data} from "@actions/expressions";
import {createInterface} from "node:readline";

const KIND = {
  [data.Kind.String]: "String", [data.Kind.Array]: "Array", [data.Kind.Dictionary]: "Object",
  [data.Kind.Boolean]: "Boolean", [data.Kind.Number]: "Number", [data.Kind.Null]: "Null",
  [data.Kind.CaseSensitiveDictionary]: "Object"
};

// Same message shape as the upstream x-lang test harness (expressions/src/xlang.test.ts).
function withExpr(e, expr) {
  return e.pos !== undefined
    ? `${e.message}. Located at position ${e.pos.column + 1} within expression: ${expr}`
    : `${e.message}. Located within expression: ${expr}`;
}

function statusFunctions(status) {
  const f = (name, v) => ({name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(v)});
  return [f("success", status === "success"), f("failure", status === "failure"),
          f("cancelled", status === "cancelled"), f("always", true)];
}

export function evaluate(c) {
  const contexts = JSON.parse(JSON.stringify(c.contexts ?? {}), data.reviver); // -> data.Dictionary
  let tokens;
  try { tokens = new Lexer(c.expr).lex().tokens; }
  catch (e) { return {err: {kind: "lexing", value: e.message}}; }
  const names = contexts.pairs().map(p => p.key);
  const ext = c.jobStatus ? statusFunctions(c.jobStatus) : [];
  let tree;
  try { tree = new Parser(tokens, names, ext).parse(); }
  catch (e) { return {err: {kind: "parsing", value: withExpr(e, c.expr)}}; }
  let r;
  try { r = tree === undefined ? new data.Null() : new Evaluator(tree, contexts, new Map(ext.map(f => [f.name, f]))).evaluate(); }
  catch (e) { return {err: {kind: "evaluation", value: withExpr(e, c.expr)}}; }
  let value = JSON.parse(JSON.stringify(r, data.replacer) ?? "null");
  if (r.kind === data.Kind.Number && !Number.isFinite(r.number())) value = String(r.number());
  return {result: {kind: KIND[r.kind], value}, string: r.coerceString()};
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const line of lines) {
    if (!line.trim()) continue;
    let out;
    try { out = evaluate(JSON.parse(line)); }
    catch (e) { out = {crash: String(e && e.stack || e)}; }
    process.stdout.write(JSON.stringify(out) + "\n");
  }
}
