// The label selector string syntax (`?labelSelector=`): comma-separated requirements
//   key=value  key==value  key!=value  key in (a,b)  key notin (a,b)  key  !key  key>1  key<1
// Whitespace between tokens is ignored. An empty string selects everything.

import { LabelSelector, LabelSelectorError, requirement, type LabelOperator, type Requirement } from './labels.js';

type TokenKind = 'id' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  at: number;
}

const SPECIAL = new Set(['!', '=', ',', '(', ')', '>', '<']);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '==' || two === '!=') {
      out.push({ kind: two, text: two, at: i });
      i += 2;
      continue;
    }
    if (SPECIAL.has(c)) {
      out.push({ kind: c as TokenKind, text: c, at: i });
      i++;
      continue;
    }
    const start = i;
    while (i < input.length && !isSpace(input[i]!) && !SPECIAL.has(input[i]!)) i++;
    const text = input.slice(start, i);
    out.push({ kind: text === 'in' || text === 'notin' ? text : 'id', text, at: start });
  }
  out.push({ kind: 'end', text: 'end of string', at: input.length });
  return out;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly input: string,
    private readonly tokens: Token[],
  ) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private fail(t: Token, expected: string): never {
    const found = t.kind === 'end' ? 'end of string' : `'${t.text}'`;
    throw new LabelSelectorError(
      `unable to parse label selector "${this.input}": found ${found} at position ${t.at}, expected ${expected}`,
    );
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    if (this.peek().kind === 'end') return out;
    for (;;) {
      out.push(this.requirement());
      const t = this.next();
      if (t.kind === 'end') return out;
      if (t.kind !== ',') this.fail(t, "',' or end of string");
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    if (t.kind === '!') {
      t = this.next();
      if (t.kind !== 'id') this.fail(t, 'a label key after "!"');
      return requirement(t.text, '!');
    }
    if (t.kind !== 'id') this.fail(t, "'!' or a label key");
    const key = t.text;
    const op = this.peek();
    if (op.kind === ',' || op.kind === 'end') return requirement(key, 'exists');
    this.next();
    switch (op.kind) {
      case '=':
      case '==':
      case '!=':
        return requirement(key, op.kind, [this.exactValue()]);
      case '>':
        return requirement(key, 'gt', [this.exactValue()]);
      case '<':
        return requirement(key, 'lt', [this.exactValue()]);
      case 'in':
      case 'notin':
        return requirement(key, op.kind as LabelOperator, this.valueSet());
      default:
        return this.fail(op, "'=', '==', '!=', 'in', 'notin', '>' or '<'");
    }
  }

  /** One value; `key=` (followed by ',' or the end) means the empty value. */
  private exactValue(): string {
    const t = this.peek();
    if (t.kind === ',' || t.kind === 'end') return '';
    this.next();
    // 'in' and 'notin' are ordinary values here (`mode=in`).
    if (t.kind === 'id' || t.kind === 'in' || t.kind === 'notin') return t.text;
    return this.fail(t, 'a label value');
  }

  /** `( v1, v2 … )`; an empty slot (`(a,)`) is the empty value. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') this.fail(open, "'('");
    const values: string[] = [];
    if (this.peek().kind === ')') {
      this.next();
      return values;
    }
    for (;;) {
      const t = this.peek();
      if (t.kind === 'id' || t.kind === 'in' || t.kind === 'notin') {
        this.next();
        values.push(t.text);
      } else if (t.kind === ',' || t.kind === ')') {
        values.push('');
      } else {
        this.fail(t, 'a label value');
      }
      const sep = this.next();
      if (sep.kind === ')') return values;
      if (sep.kind !== ',') this.fail(sep, "',' or ')'");
    }
  }
}

/** Parse the string form; throws LabelSelectorError with a message saying what was wrong and where. */
export function parseLabelSelector(input: string): LabelSelector {
  const requirements = new Parser(input, tokenize(input)).parse();
  return LabelSelector.of(requirements);
}
