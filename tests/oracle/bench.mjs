// bench.mjs — evaluations per second of one expression by GitHub's TypeScript evaluator
// (@actions/expressions), parsed once and evaluated in a loop, as bench/bench_expressions.py
// does for dispatchd.
// Input (stdin): {"expr": "...", "contexts": {...}, "seconds": 1, "repeat": 3}
// (best of `repeat` rounds of `seconds` each)
// Output: {"evals_per_second": N, "result": <JSON of the last result>}
import {Lexer, Parser, Evaluator, data} from "@actions/expressions";
import {readFileSync} from "node:fs";

const c = JSON.parse(readFileSync(0, "utf8"));
const contexts = JSON.parse(JSON.stringify(c.contexts), data.reviver);
const names = contexts.pairs().map(p => p.key);
const tree = new Parser(new Lexer(c.expr).lex().tokens, names, []).parse();
const seconds = c.seconds ?? 1;

let r;
for (let i = 0; i < 20000; i++) r = new Evaluator(tree, contexts).evaluate(); // warm up the JIT
let best = 0;
for (let round = 0; round < (c.repeat ?? 3); round++) {
  let n = 0;
  const start = process.hrtime.bigint();
  const limit = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < limit) {
    for (let i = 0; i < 1000; i++) r = new Evaluator(tree, contexts).evaluate();
    n += 1000;
    now = process.hrtime.bigint();
  }
  best = Math.max(best, n / (Number(now - start) / 1e9));
}
process.stdout.write(JSON.stringify({evals_per_second: best, result: JSON.parse(JSON.stringify(r, data.replacer))}) + "\n");
