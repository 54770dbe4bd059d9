/**
 * A log density typed as a formula in x, y (2-D) or x1 … xd, turned into a sampling Target.
 *
 * mathjs parses the text and differentiates it symbolically (each partial folded here, then
 * simplified by mathjs when small); after that mathjs is out of the loop: the formula and its
 * gradient are compiled to plain JavaScript source (`Math.exp(…)`, common subexpressions hoisted
 * into constants, value and gradient in one function), which `formula-target.ts` turns into
 * functions with `new Function`. The host compiles in its formula thread (`formula-thread.ts`)
 * and hands the engine the compiled source, so a run's formula is parsed once.
 * Only known variables, a short list of real functions, + − * / ^, numbers, pi and e are accepted,
 * and the generated code only ever contains those, so the compiled source cannot do anything else.
 * The work is bounded: at most MAX_FORMULA_NODES nodes in the formula and MAX_GRADIENT_NODES in
 * its partial derivatives together (a nest of sin around a long product grows quadratically).
 */
import {
  ConstantNode,
  FunctionNode,
  OperatorNode,
  SymbolNode,
  derivative,
  parse,
  simplify,
  type MathNode,
} from 'mathjs';
import { inEnglish, localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import { formulaTarget, type CompiledFormula } from './formula-target';
import type { Target } from './types';

export interface FormulaError {
  /** English; `text` is the same for the page to show in its language. */
  message: string;
  text: LocalText;
  /** Character offsets into the source of the part to underline (end exclusive). */
  start: number;
  end: number;
}

export type FormulaResult =
  | {
      target: Target;
      /** ∂ log p / ∂ each variable, folded and (when small) simplified by mathjs, for display. */
      derivatives: string[];
    }
  | { error: FormulaError };

/** What the host's formula thread answers: the compiled formula to hand the engine. */
export type CompiledFormulaResult =
  { compiled: CompiledFormula; derivatives: string[] } | { error: FormulaError };

/** The most variables a formula may have (a sampler's draws grow with it). */
export const MAX_FORMULA_DIM = 1000;
/** The most nodes (numbers, names, operators, calls) a formula may have. */
export const MAX_FORMULA_NODES = 1500;
/** The most nodes its partial derivatives may have together, once folded. */
export const MAX_GRADIENT_NODES = 20_000;

/** Functions a formula may call, with their argument counts [min, max]. */
const allowedFunctions: Record<string, [number, number]> = {
  exp: [1, 1],
  log: [1, 2],
  log1p: [1, 1],
  sqrt: [1, 1],
  abs: [1, 1],
  sin: [1, 1],
  cos: [1, 1],
  tan: [1, 1],
  sinh: [1, 1],
  cosh: [1, 1],
  tanh: [1, 1],
  pow: [2, 2],
};
const functionList = Object.keys(allowedFunctions).join(', ');

const constants: Record<string, string> = { pi: 'Math.PI', e: 'Math.E' };

/** Operators a formula may use (mathjs `fn` names). */
const allowedOperators = new Set([
  'add',
  'subtract',
  'multiply',
  'divide',
  'pow',
  'unaryMinus',
  'unaryPlus',
]);

/** Functions the compiler can emit: the allowed ones and those mathjs derivatives produce. */
const jsFunctions: Record<string, (a: string[]) => string> = {
  exp: (a) => `Math.exp(${a[0]})`,
  log: (a) => (a.length === 2 ? `Math.log(${a[0]}) / Math.log(${a[1]})` : `Math.log(${a[0]})`),
  log1p: (a) => `Math.log1p(${a[0]})`,
  log2: (a) => `Math.log2(${a[0]})`,
  log10: (a) => `Math.log10(${a[0]})`,
  expm1: (a) => `Math.expm1(${a[0]})`,
  sqrt: (a) => `Math.sqrt(${a[0]})`,
  cbrt: (a) => `Math.cbrt(${a[0]})`,
  abs: (a) => `Math.abs(${a[0]})`,
  sign: (a) => `Math.sign(${a[0]})`,
  sin: (a) => `Math.sin(${a[0]})`,
  cos: (a) => `Math.cos(${a[0]})`,
  tan: (a) => `Math.tan(${a[0]})`,
  sec: (a) => `1 / Math.cos(${a[0]})`,
  csc: (a) => `1 / Math.sin(${a[0]})`,
  cot: (a) => `1 / Math.tan(${a[0]})`,
  sinh: (a) => `Math.sinh(${a[0]})`,
  cosh: (a) => `Math.cosh(${a[0]})`,
  tanh: (a) => `Math.tanh(${a[0]})`,
  sech: (a) => `1 / Math.cosh(${a[0]})`,
  csch: (a) => `1 / Math.sinh(${a[0]})`,
  coth: (a) => `1 / Math.tanh(${a[0]})`,
  square: (a) => `${a[0]} * ${a[0]}`,
  cube: (a) => `${a[0]} * ${a[0]} * ${a[0]}`,
  pow: (a) => power(a[0], a[1]),
};

function power(base: string, exponent: string): string {
  return exponent === '2' ? `${base} * ${base}` : `Math.pow(${base}, ${exponent})`;
}

/** Thrown inside the parser's passes and turned into the `error` result. */
class FormulaProblem extends Error {
  constructor(
    readonly text: LocalText,
    readonly start: number,
    readonly end: number,
  ) {
    super(inEnglish(text));
  }
}

// --- locating things in the source (mathjs nodes carry no positions) -------------------------

interface Token {
  text: string;
  start: number;
  end: number;
  /** An identifier directly followed by '(' (spaces allowed). */
  call: boolean;
}

const identStart = /[\p{L}_$]/u;
const identPart = /[\p{L}\p{N}_$]/u;

/** Identifiers of the source in order, numbers skipped (so the e of 1e5 is not a name). */
function identifiers(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      while (i < source.length && /[0-9.]/.test(source[i])) i++;
      if (/[eE]/.test(source[i] ?? '') && /[0-9+-]/.test(source[i + 1] ?? '')) {
        i += 2;
        while (i < source.length && /[0-9]/.test(source[i])) i++;
      }
    } else if (identStart.test(ch)) {
      const start = i;
      while (i < source.length && identPart.test(source[i])) i++;
      let j = i;
      while (source[j] === ' ') j++;
      out.push({ text: source.slice(start, i), start, end: i, call: source[j] === '(' });
    } else if (ch === '"' || ch === "'") {
      // Skip a string literal (an error anyway, but its content is not a name).
      const close = source.indexOf(ch, i + 1);
      i = close < 0 ? source.length : close + 1;
    } else {
      i++;
    }
  }
  return out;
}

function whole(source: string): [number, number] {
  return [0, source.length];
}

/** Span of the first identifier `name` (as a call when `call` is set), else the whole formula. */
function findName(source: string, name: string, call?: boolean): [number, number] {
  const t = identifiers(source).find(
    (k) => k.text === name && (call === undefined || k.call === call),
  );
  return t ? [t.start, t.end] : whole(source);
}

/** Span of the first occurrence of any of `texts` outside names, else the whole formula. */
function findText(source: string, texts: string[]): [number, number] {
  let best: [number, number] | null = null;
  for (const t of texts) {
    const at = source.indexOf(t);
    if (at >= 0 && (!best || at < best[0])) best = [at, at + t.length];
  }
  return best ?? whole(source);
}

function fail(key: MessageKey, vars: LocalText['vars'], span: [number, number]): never {
  throw new FormulaProblem(localText(key, vars), span[0], span[1]);
}

/** A ConstantNode's value, whatever its type (mathjs types it by a generic). */
function constantValue(node: MathNode): unknown {
  return (node as unknown as { value: unknown }).value;
}

// --- validation --------------------------------------------------------------------------------

const operatorWords = new Set(['mod', 'and', 'or', 'xor', 'not', 'to', 'in']);

/** Checks the node kinds, operators, functions and constants; collects symbol uses in order. */
function checkNode(node: MathNode, source: string, symbols: string[]): void {
  switch (node.type) {
    case 'ConstantNode': {
      const value = constantValue(node);
      if (typeof value === 'number') return;
      if (typeof value === 'string') {
        fail('formula.quotes', undefined, findText(source, ['"', "'"]));
      }
      const word = String(value);
      fail('formula.notANumber', { word }, findName(source, word));
      break;
    }
    case 'SymbolNode': {
      const name = (node as SymbolNode).name;
      if (Object.hasOwn(allowedFunctions, name)) {
        fail('formula.isAFunction', { name }, findName(source, name, false));
      }
      if (!Object.hasOwn(constants, name)) symbols.push(name);
      return;
    }
    case 'ParenthesisNode':
      checkNode((node as unknown as { content: MathNode }).content, source, symbols);
      return;
    case 'OperatorNode': {
      const op = node as OperatorNode;
      if (!allowedOperators.has(op.fn)) {
        const span = operatorWords.has(op.op) ? findName(source, op.op) : findText(source, [op.op]);
        fail('formula.operator', { op: op.op }, span);
      }
      for (const a of op.args) checkNode(a, source, symbols);
      return;
    }
    case 'FunctionNode': {
      const fnNode = node as FunctionNode;
      const fn = fnNode.fn as unknown as MathNode;
      if (fn.type !== 'SymbolNode') fail('formula.plainCalls', undefined, whole(source));
      const name = (fn as SymbolNode).name;
      const arity = Object.hasOwn(allowedFunctions, name) ? allowedFunctions[name] : undefined;
      if (!arity) {
        if (name === 'x' || name === 'y' || /^x[0-9]+$/.test(name)) {
          fail('formula.variableCalled', { name }, findName(source, name, true));
        }
        fail(
          'formula.unknownFunction',
          { name, allowed: functionList },
          findName(source, name, true),
        );
      }
      const n = fnNode.args.length;
      if (n < arity[0] || n > arity[1]) {
        const [min, max] = arity;
        fail(
          min === max ? 'formula.arity' : 'formula.arityRange',
          { name, min, max, n, s: min === max && min === 1 ? '' : 's' },
          findName(source, name, true),
        );
      }
      for (const a of fnNode.args) checkNode(a, source, symbols);
      return;
    }
    case 'AssignmentNode':
    case 'FunctionAssignmentNode':
      fail('formula.assignment', undefined, findText(source, ['=']));
      break;
    case 'BlockNode':
      fail('formula.block', undefined, findText(source, [';']));
      break;
    case 'ArrayNode':
    case 'IndexNode':
    case 'AccessorNode':
      fail('formula.matrix', undefined, findText(source, ['[', '.']));
      break;
    case 'ObjectNode':
      fail('formula.object', undefined, findText(source, ['{']));
      break;
    case 'RangeNode':
      fail('formula.range', undefined, findText(source, [':']));
      break;
    case 'ConditionalNode':
      fail('formula.conditional', undefined, findText(source, ['?']));
      break;
    case 'RelationalNode':
      fail('formula.comparison', undefined, findText(source, ['<', '>', '==', '!=']));
      break;
    default:
      fail('formula.notAllowed', { what: node.toString() }, whole(source));
  }
}

interface Variables {
  names: string[];
  /** Symbol name → coordinate index. */
  index: Map<string, number>;
}

const indexed = /^x([1-9][0-9]*)$/;

/**
 * Which variables to use, in words (`hint`, English) and as a plain list (`names`, for other
 * languages' messages).
 */
function useHint(
  scheme: 'xy' | 'indexed' | null,
  d: number | null,
): { hint: string; names: string } {
  if (scheme === 'xy')
    return d === 1 ? { hint: 'use x', names: 'x' } : { hint: 'use x and y', names: 'x, y' };
  if (scheme === 'indexed' && d !== null) {
    if (d === 1) return { hint: 'use x1', names: 'x1' };
    if (d === 2) return { hint: 'use x1 and x2', names: 'x1, x2' };
    return d === 3
      ? { hint: 'use x1, x2 and x3', names: 'x1, x2, x3' }
      : { hint: `use x1 … x${d}`, names: `x1 … x${d}` };
  }
  return { hint: 'use x and y, or x1, x2, …', names: 'x, y | x1, x2, …' };
}

/** Decides the variable naming and dimension from the symbols used (or the given `dim`). */
function resolveVariables(symbols: string[], source: string, dim?: number): Variables {
  const isXy = (s: string) => s === 'x' || s === 'y';
  const firstXy = symbols.find(isXy);
  const firstIndexed = symbols.find((s) => indexed.test(s));
  if (firstXy !== undefined && firstIndexed !== undefined) {
    const second =
      symbols.indexOf(firstXy) < symbols.indexOf(firstIndexed) ? firstIndexed : firstXy;
    fail('formula.bothSchemes', undefined, findName(source, second, false));
  }
  let scheme: 'xy' | 'indexed' | null = firstXy ? 'xy' : firstIndexed ? 'indexed' : null;
  let d: number | null = null;
  if (dim !== undefined) {
    d = dim;
    if (scheme === 'xy' && dim > 2) scheme = 'indexed';
    if (scheme === null) scheme = dim <= 2 ? 'xy' : 'indexed';
  } else if (scheme === 'xy') {
    d = 2;
  } else if (scheme === 'indexed') {
    d = Math.max(...symbols.filter((s) => indexed.test(s)).map((s) => Number(indexed.exec(s)![1])));
  }
  // Checked before anything is sized by it: x99999999 must not make a table of that size.
  if (d !== null && d > MAX_FORMULA_DIM) {
    const widest = symbols.find((s) => indexed.test(s) && Number(indexed.exec(s)![1]) === d);
    fail(
      'formula.tooManyVariables',
      { max: MAX_FORMULA_DIM, d },
      widest ? findName(source, widest, false) : [0, source.length],
    );
  }

  const index = new Map<string, number>();
  if (scheme === 'xy' && d !== null) {
    index.set('x', 0);
    if (d === 2) index.set('y', 1);
  } else if (scheme === 'indexed' && d !== null) {
    for (let i = 0; i < d; i++) index.set(`x${i + 1}`, i);
  }
  for (const s of symbols) {
    if (index.has(s)) continue;
    const lower = s.toLowerCase();
    if (Object.hasOwn(constants, lower) && lower !== s)
      fail('formula.unknownVariableCase', { name: s, lower }, findName(source, s, false));
    fail('formula.unknownVariable', { name: s, ...useHint(scheme, d) }, findName(source, s, false));
  }
  if (d === null) fail('formula.noVariable', useHint(null, null), whole(source));

  const names =
    scheme === 'xy' ? ['x', 'y'].slice(0, d) : Array.from({ length: d }, (_, i) => `x${i + 1}`);
  for (const n of names) {
    if (!symbols.includes(n)) fail('formula.independent', { name: n }, whole(source));
  }
  return { names, index };
}

// --- differentiation ---------------------------------------------------------------------------

/** mathjs cannot differentiate log1p: use log(1 + u) for the derivative (values keep log1p). */
function differentiable(node: MathNode): MathNode {
  return node.transform((n) => {
    if (n.type === 'FunctionNode') {
      const f = n as FunctionNode;
      if ((f.fn as SymbolNode).name === 'log1p') {
        const inner = differentiable(f.args[0]);
        const sum = new OperatorNode('+', 'add', [new ConstantNode(1), inner]);
        return new FunctionNode(new SymbolNode('log'), [sum]);
      }
    }
    return n;
  });
}

type ArithmeticFn = 'add' | 'subtract' | 'multiply' | 'divide' | 'pow' | 'unaryMinus' | 'unaryPlus';
const opSymbol: Record<ArithmeticFn, string> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  divide: '/',
  pow: '^',
  unaryMinus: '-',
  unaryPlus: '+',
};

function operator(fn: ArithmeticFn, args: MathNode[]): MathNode {
  return new OperatorNode(opSymbol[fn] as '+', fn as 'add', args);
}

function numberOf(node: MathNode): number | null {
  const v = node.type === 'ConstantNode' ? constantValue(node) : null;
  return typeof v === 'number' ? v : null;
}

function arithmetic(fn: string, a: number[]): number {
  switch (fn) {
    case 'add':
      return a.reduce((x, y) => x + y, 0);
    case 'subtract':
      return a[0] - a[1];
    case 'multiply':
      return a.reduce((x, y) => x * y, 1);
    case 'divide':
      return a[0] / a[1];
    case 'pow':
      return Math.pow(a[0], a[1]);
    case 'unaryMinus':
      return -a[0];
    case 'unaryPlus':
      return a[0];
    default:
      return NaN;
  }
}

/**
 * Constant folding and the identities 0 + a, a − 0, 1 · a, 0 · a, a / 1, a^1, a^0, −(−a), in one
 * linear pass. An unsimplified mathjs derivative is mostly such terms (every other variable's
 * part becomes 0 · …); mathjs's own simplify removes them too but its time grows steeply with
 * the size of the expression (seconds for a 10-variable quadratic), so it only gets what is left.
 * Dropping 0 · f also drops f's NaN where it leaves its domain, which is what ∂/∂x means there.
 */
function fold(node: MathNode): MathNode {
  switch (node.type) {
    case 'ParenthesisNode':
      return fold((node as unknown as { content: MathNode }).content);
    case 'FunctionNode': {
      const f = node as FunctionNode;
      return new FunctionNode(f.fn, f.args.map(fold));
    }
    case 'OperatorNode': {
      const o = node as OperatorNode;
      const fn = o.fn as ArithmeticFn;
      let args = o.args.map(fold);
      const values = args.map(numberOf);
      if (values.every((v) => v !== null)) {
        const v = arithmetic(fn, values as number[]);
        if (Number.isFinite(v)) return new ConstantNode(v);
      }
      switch (fn) {
        case 'add':
          args = args.filter((_, i) => values[i] !== 0);
          return args.length === 0
            ? new ConstantNode(0)
            : args.length === 1
              ? args[0]
              : operator('add', args);
        case 'subtract':
          if (values[1] === 0) return args[0];
          if (values[0] === 0) return fold(operator('unaryMinus', [args[1]]));
          break;
        case 'multiply':
          if (values.some((v) => v === 0)) return new ConstantNode(0);
          args = args.filter((_, i) => values[i] !== 1);
          return args.length === 0
            ? new ConstantNode(1)
            : args.length === 1
              ? args[0]
              : operator('multiply', args);
        case 'divide':
          if (values[0] === 0) return new ConstantNode(0);
          if (values[1] === 1) return args[0];
          break;
        case 'pow':
          if (values[1] === 1) return args[0];
          if (values[1] === 0) return new ConstantNode(1);
          break;
        case 'unaryPlus':
          return args[0];
        case 'unaryMinus': {
          const inner = args[0];
          if (inner.type === 'OperatorNode' && (inner as OperatorNode).fn === 'unaryMinus') {
            return (inner as OperatorNode).args[0];
          }
          break;
        }
      }
      return operator(fn, args);
    }
    default:
      return node;
  }
}

/** Past this many nodes mathjs's simplify can take seconds: the folded form is kept as it is. */
const SIMPLIFY_MAX_NODES = 60;

/** The children of a node (mathjs's own `forEach` without a callback per call site). */
function childrenOf(node: MathNode): MathNode[] {
  const out: MathNode[] = [];
  node.forEach((child) => out.push(child));
  return out;
}

/** Nodes in `node`, counted until `limit` is passed (a shared subtree counts each time it is used). */
function nodeCount(node: MathNode, limit = Infinity): number {
  let n = 0;
  const stack = [node];
  while (stack.length > 0 && n <= limit) {
    const next = stack.pop()!;
    n++;
    next.forEach((child) => stack.push(child));
  }
  return n;
}

/** The variables each subtree uses, so a partial skips the terms without its variable. */
class SymbolsIn {
  private readonly memo = new Map<MathNode, Set<string>>();

  of(node: MathNode): Set<string> {
    let found = this.memo.get(node);
    if (!found) {
      found = new Set(node.type === 'SymbolNode' ? [(node as SymbolNode).name] : []);
      for (const child of childrenOf(node)) for (const s of this.of(child)) found.add(s);
      this.memo.set(node, found);
    }
    return found;
  }
}

/**
 * ∂ node / ∂ name by mathjs's rules, a sum differentiated term by term: a term without `name` is 0
 * at once, so a sum over a thousand variables does not differentiate every term a thousand times.
 */
function rawPartial(node: MathNode, name: string, symbols: SymbolsIn): MathNode {
  if (!symbols.of(node).has(name)) return new ConstantNode(0);
  if (node.type === 'ParenthesisNode')
    return rawPartial((node as unknown as { content: MathNode }).content, name, symbols);
  if (node.type === 'OperatorNode') {
    const o = node as OperatorNode;
    if (o.fn === 'add' || o.fn === 'subtract' || o.fn === 'unaryMinus' || o.fn === 'unaryPlus')
      return operator(
        o.fn,
        o.args.map((a) => rawPartial(a, name, symbols)),
      );
  }
  return derivative(node, name, { simplify: false });
}

/** ∂ node / ∂ name: mathjs's rules, folded, then simplified by mathjs when small enough. */
function partial(node: MathNode, name: string, symbols: SymbolsIn): MathNode {
  const folded = fold(rawPartial(node, name, symbols));
  if (nodeCount(folded, SIMPLIFY_MAX_NODES) > SIMPLIFY_MAX_NODES) return folded;
  try {
    return simplify(folded);
  } catch {
    return folded;
  }
}

function isZero(node: MathNode): boolean {
  let n = node;
  while (n.type === 'ParenthesisNode') n = (n as unknown as { content: MathNode }).content;
  return n.type === 'ConstantNode' && constantValue(n) === 0;
}

// --- compilation -------------------------------------------------------------------------------

class Unsupported extends Error {}

function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  return v < 0 ? `(${v})` : String(v);
}

/**
 * Emits straight-line JavaScript for expressions over v0 … v(d−1): every compound node becomes a
 * `const tN = …;`, and an identical expression is reused rather than recomputed, so the value and
 * the gradient share their common parts.
 */
class Emitter {
  readonly lines: string[] = [];
  private readonly seen = new Map<string, string>();

  constructor(private readonly index: Map<string, number>) {}

  private hoist(expr: string): string {
    let name = this.seen.get(expr);
    if (name === undefined) {
      name = `t${this.seen.size}`;
      this.seen.set(expr, name);
      this.lines.push(`const ${name} = ${expr};`);
    }
    return name;
  }

  emit(node: MathNode): string {
    switch (node.type) {
      case 'ConstantNode': {
        const value = constantValue(node);
        if (typeof value !== 'number') throw new Unsupported(`constant ${String(value)}`);
        return literal(value);
      }
      case 'SymbolNode': {
        const name = (node as SymbolNode).name;
        const i = this.index.get(name);
        if (i !== undefined) return `v${i}`;
        if (Object.hasOwn(constants, name)) return constants[name];
        throw new Unsupported(`symbol ${name}`);
      }
      case 'ParenthesisNode':
        return this.emit((node as unknown as { content: MathNode }).content);
      case 'OperatorNode': {
        const op = node as OperatorNode;
        const a = op.args.map((x) => this.emit(x));
        switch (op.fn) {
          case 'unaryPlus':
            return a[0];
          case 'unaryMinus':
            return this.hoist(`-${a[0]}`);
          case 'add':
            return this.hoist(a.join(' + '));
          case 'subtract':
            return this.hoist(`${a[0]} - ${a[1]}`);
          case 'multiply':
            return this.hoist(a.join(' * '));
          case 'divide':
            return this.hoist(`${a[0]} / ${a[1]}`);
          case 'pow':
            return this.hoist(power(a[0], a[1]));
          default:
            throw new Unsupported(`operator ${op.op}`);
        }
      }
      case 'FunctionNode': {
        const f = node as FunctionNode;
        const name = (f.fn as SymbolNode).name;
        const js = Object.hasOwn(jsFunctions, name) ? jsFunctions[name] : undefined;
        if (!js) throw new Unsupported(`function ${name}`);
        return this.hoist(js(f.args.map((x) => this.emit(x))));
      }
      default:
        throw new Unsupported(node.type);
    }
  }
}

/** The JavaScript source of the density and of the density with its gradient. */
function compile(
  value: MathNode,
  grads: MathNode[],
  index: Map<string, number>,
): { densitySource: string; gradSource: string } {
  const d = grads.length;
  const load = `const ${Array.from({ length: d }, (_, i) => `v${i} = q[${i}]`).join(', ')};`;

  const e1 = new Emitter(index);
  const f1 = e1.emit(value);
  // A NaN is outside the support; so is anything a density cannot be.
  const densitySource = [
    '"use strict";',
    load,
    ...e1.lines,
    `const f = ${f1};`,
    'return f === f ? f : -Infinity;',
  ].join('\n');

  const e2 = new Emitter(index);
  const f2 = e2.emit(value);
  const g = grads.map((n) => e2.emit(n));
  const zero = Array.from({ length: d }, (_, i) => `g[${i}] = 0;`).join(' ');
  // A NaN partial at a finite density is a kink (abs at 0 gives 0/0): report the 0 subgradient.
  const store = g.map((s, i) => `const g${i} = ${s}; g[${i}] = g${i} === g${i} ? g${i} : 0;`);
  const gradSource = [
    '"use strict";',
    load,
    ...e2.lines,
    `const f = ${f2};`,
    `if (!(f === f) || f === -Infinity) { ${zero} return -Infinity; }`,
    ...store,
    'return f;',
  ].join('\n');

  return { densitySource, gradSource };
}

// --- the entry point ---------------------------------------------------------------------------

/** Blank out # comments and turn line breaks into spaces, keeping every offset where it was. */
function normalise(source: string): string {
  return source.replace(/#[^\n]*/g, (m) => ' '.repeat(m.length)).replace(/[\r\n\t]/g, ' ');
}

/** A problem and where it is, in English and as a translatable text. */
function problem(text: LocalText, start: number, end: number): FormulaError {
  return { message: inEnglish(text), text, start, end };
}

function syntaxError(err: unknown, source: string): FormulaError {
  const message = err instanceof Error ? err.message : String(err);
  const char = (err as { char?: unknown }).char;
  // mathjs's own words (English) are quoted inside the message.
  const detail = message.replace(/\s*\(char \d+\)\s*$/, '');
  if (typeof char !== 'number')
    return problem(localText('formula.syntax', { detail }), 0, source.length);
  const at = char - 1;
  if (at >= source.trimEnd().length) {
    const end = source.length;
    return problem(localText('formula.syntaxAtEnd', { detail }), Math.max(0, end - 1), end);
  }
  return problem(localText('formula.syntaxAt', { column: char, detail }), at, at + 1);
}

/**
 * Parses `source` as log p over x, y (2-D) or x1 … xd and compiles it with its gradient. The
 * dimension is inferred from the variables unless `dim` is given. On a problem, `error` says what
 * and where (character offsets, for underlining). The target's density is −Infinity wherever the
 * formula is NaN; 2-D targets get the box [−4, 4]² as `bounds` (the caller may replace it).
 */
export function parseFormula(source: string, dim?: number): FormulaResult {
  const result = compileFormula(source, dim);
  if ('error' in result) return result;
  return { target: formulaTarget(result.compiled), derivatives: result.derivatives };
}

/** As parseFormula, but the compiled source rather than functions: what crosses to the engine. */
export function compileFormula(source: string, dim?: number): CompiledFormulaResult {
  if (dim !== undefined && !(Number.isInteger(dim) && dim >= 1)) {
    return { error: problem(localText('formula.dimension', { dim }), 0, source.length) };
  }
  const text = normalise(source);
  if (text.trim() === '') return { error: problem(localText('formula.empty'), 0, source.length) };

  let node: MathNode;
  try {
    node = parse(text);
  } catch (err) {
    return { error: syntaxError(err, source) };
  }

  try {
    const nodes = nodeCount(node, MAX_FORMULA_NODES);
    if (nodes > MAX_FORMULA_NODES)
      fail('formula.tooManyNodes', { max: MAX_FORMULA_NODES }, whole(text));
    const symbols: string[] = [];
    checkNode(node, text, symbols);
    const { names, index } = resolveVariables(symbols, text, dim);

    const prepared = differentiable(node);
    const symbolsIn = new SymbolsIn();
    const grads: MathNode[] = [];
    let gradientNodes = 0;
    for (const name of names) {
      let g: MathNode;
      try {
        g = partial(prepared, name, symbolsIn);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        const fn = /function "([^"]+)"/.exec(msg)?.[1];
        fail(
          fn ? 'formula.cannotDifferentiateFn' : 'formula.cannotDifferentiate',
          { name, fn: fn ?? '', detail: msg },
          fn ? findName(text, fn, true) : whole(text),
        );
      }
      gradientNodes += nodeCount(g, MAX_GRADIENT_NODES - gradientNodes);
      if (gradientNodes > MAX_GRADIENT_NODES)
        fail('formula.gradientTooBig', { max: MAX_GRADIENT_NODES, name }, whole(text));
      if (isZero(g)) fail('formula.independent', { name }, findName(text, name, false));
      grads.push(g);
    }

    let compiled: ReturnType<typeof compile>;
    try {
      compiled = compile(node, grads, index);
    } catch (err) {
      if (err instanceof Unsupported) {
        fail('formula.cannotCompile', { what: err.message }, whole(text));
      }
      throw err;
    }
    return {
      compiled: { names, ...compiled },
      derivatives: grads.map((g) => g.toString()),
    };
  } catch (err) {
    if (err instanceof FormulaProblem) {
      return { error: { message: err.message, text: err.text, start: err.start, end: err.end } };
    }
    throw err;
  }
}
