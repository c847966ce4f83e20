// @ts-check
/**
 * A parser for the subset of HCL2 that kx's Packer templates use, for the stand-in
 * packer: bodies of attributes and labelled blocks; expressions made of strings with
 * ${…} interpolation, numbers, booleans, references (var.x, local.x, path.root,
 * data.t.n.attr), function calls, lists and maps. Anything else is a syntax error,
 * so a template the stand-in cannot read fails loudly instead of passing.
 */

export class HclError extends Error {
  /** @param {string} message @param {string} file @param {number} line */
  constructor(message, file, line) {
    super(`${file}:${line}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

/**
 * @typedef {{ kind: "string", parts: (string | Expr)[] } | { kind: "number", value: number } | { kind: "bool", value: boolean }
 *   | { kind: "ref", path: string[] } | { kind: "call", name: string, args: Expr[] }
 *   | { kind: "list", items: Expr[] } | { kind: "map", entries: { key: string, value: Expr }[] }} Expr
 * @typedef {{ name: string, expr: Expr, line: number }} Attribute
 * @typedef {{ type: string, labels: string[], body: Body, line: number, file: string }} Block
 * @typedef {{ attributes: Attribute[], blocks: Block[] }} Body
 * @typedef {{ t: "ident" | "string" | "number" | "punct" | "nl" | "eof", v: string, line: number, parts?: (string | { src: string, line: number })[] }} Token
 */

/** @param {string} src @param {string} file @returns {Token[]} */
function lex(src, file) {
  /** @type {Token[]} */
  const out = [];
  let i = 0;
  let line = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\n") {
      out.push({ t: "nl", v: "\n", line });
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) throw new HclError("unterminated comment", file, line);
      line += src.slice(i, end).split("\n").length - 1;
      i = end + 2;
    } else if (c === "<" && src[i + 1] === "<") {
      throw new HclError("heredoc strings are not supported by the stand-in", file, line);
    } else if (c === '"') {
      const start = line;
      /** @type {(string | { src: string, line: number })[]} */
      const parts = [];
      let lit = "";
      i++;
      for (;;) {
        if (i >= src.length || src[i] === "\n") throw new HclError("unterminated string", file, start);
        const ch = src[i];
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === "\\") {
          const e = src[i + 1];
          lit += e === "n" ? "\n" : e === "t" ? "\t" : e === '"' ? '"' : e === "\\" ? "\\" : `\\${e}`;
          i += 2;
        } else if (ch === "$" && src[i + 1] === "{") {
          if (lit) parts.push(lit);
          lit = "";
          let depth = 1;
          let j = i + 2;
          let inString = false;
          while (j < src.length && depth > 0) {
            const d = src[j];
            if (inString) {
              if (d === "\\") j++;
              else if (d === '"') inString = false;
            } else if (d === '"') inString = true;
            else if (d === "{") depth++;
            else if (d === "}") depth--;
            j++;
          }
          if (depth > 0) throw new HclError("unterminated ${ in string", file, start);
          parts.push({ src: src.slice(i + 2, j - 1), line });
          i = j;
        } else if (ch === "$" && src[i + 1] === "$" && src[i + 2] === "{") {
          lit += "${";
          i += 3;
        } else {
          lit += ch;
          i++;
        }
      }
      if (lit || parts.length === 0) parts.push(lit);
      out.push({ t: "string", v: "", line: start, parts });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      out.push({ t: "number", v: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
      out.push({ t: "ident", v: m[0], line });
      i += m[0].length;
    } else if ("{}[]()=,.:".includes(c)) {
      out.push({ t: "punct", v: c, line });
      i++;
    } else {
      throw new HclError(`unexpected character ${JSON.stringify(c)}`, file, line);
    }
  }
  out.push({ t: "eof", v: "", line });
  return out;
}

class Parser {
  /** @param {Token[]} tokens @param {string} file */
  constructor(tokens, file) {
    this.tokens = tokens;
    this.pos = 0;
    this.file = file;
  }
  peek() {
    return this.tokens[this.pos];
  }
  next() {
    return this.tokens[this.pos++];
  }
  /** @param {string} message @returns {never} */
  fail(message, token = this.peek()) {
    throw new HclError(message, this.file, token.line);
  }
  /** @param {string} v */
  expect(v) {
    const t = this.next();
    if (t.t !== "punct" || t.v !== v) this.fail(`expected "${v}", found ${t.t === "eof" ? "end of file" : JSON.stringify(t.v || t.t)}`, t);
    return t;
  }
  skipNewlines() {
    while (this.peek().t === "nl") this.pos++;
  }

  /** @param {string} [closing] @returns {Body} */
  body(closing) {
    /** @type {Body} */
    const body = { attributes: [], blocks: [] };
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (closing && t.t === "punct" && t.v === closing) return body;
      if (!closing && t.t === "eof") return body;
      if (t.t !== "ident") this.fail(`expected an attribute or block, found ${JSON.stringify(t.v || t.t)}`);
      this.next();
      const after = this.peek();
      if (after.t === "punct" && after.v === "=") {
        this.next();
        const expr = this.expr();
        if (body.attributes.some((a) => a.name === t.v)) this.fail(`the argument "${t.v}" was already set`, t);
        body.attributes.push({ name: t.v, expr, line: t.line });
        const end = this.peek();
        if (end.t !== "nl" && end.t !== "eof" && !(end.t === "punct" && end.v === closing)) this.fail("expected a newline after the argument");
      } else {
        /** @type {string[]} */
        const labels = [];
        while (this.peek().t === "string" || this.peek().t === "ident") {
          const l = this.next();
          if (l.t === "string" && (l.parts?.length !== 1 || typeof l.parts[0] !== "string")) this.fail("block labels cannot be templates", l);
          labels.push(l.t === "string" ? /** @type {string} */ (l.parts?.[0]) : l.v);
        }
        this.expect("{");
        const inner = this.body("}");
        this.expect("}");
        body.blocks.push({ type: t.v, labels, body: inner, line: t.line, file: this.file });
      }
    }
  }

  /** @returns {Expr} */
  expr() {
    const t = this.next();
    if (t.t === "string") {
      return {
        kind: "string",
        parts: (t.parts ?? []).map((p) => (typeof p === "string" ? p : parseExpression(p.src, this.file, p.line))),
      };
    }
    if (t.t === "number") return { kind: "number", value: Number(t.v) };
    if (t.t === "ident") {
      if (t.v === "true" || t.v === "false") return { kind: "bool", value: t.v === "true" };
      if (this.peek().t === "punct" && this.peek().v === "(") {
        this.next();
        const args = this.sequence(")");
        return { kind: "call", name: t.v, args };
      }
      const path = [t.v];
      while (this.peek().t === "punct" && this.peek().v === ".") {
        this.next();
        const part = this.next();
        if (part.t !== "ident") this.fail("expected an attribute name after '.'", part);
        path.push(part.v);
      }
      return { kind: "ref", path };
    }
    if (t.t === "punct" && t.v === "[") return { kind: "list", items: this.sequence("]") };
    if (t.t === "punct" && t.v === "{") return this.map();
    return this.fail(`expected an expression, found ${JSON.stringify(t.v || t.t)}`, t);
  }

  /** @param {string} closing @returns {Expr[]} */
  sequence(closing) {
    /** @type {Expr[]} */
    const items = [];
    for (;;) {
      this.skipNewlines();
      if (this.peek().t === "punct" && this.peek().v === closing) {
        this.next();
        return items;
      }
      items.push(this.expr());
      this.skipNewlines();
      const sep = this.peek();
      if (sep.t === "punct" && sep.v === ",") this.next();
      else if (!(sep.t === "punct" && sep.v === closing)) this.fail(`expected "," or "${closing}"`);
    }
  }

  /** @returns {Expr} */
  map() {
    /** @type {{ key: string, value: Expr }[]} */
    const entries = [];
    for (;;) {
      this.skipNewlines();
      const k = this.next();
      if (k.t === "punct" && k.v === "}") return { kind: "map", entries };
      let key;
      if (k.t === "ident") key = k.v;
      else if (k.t === "string" && k.parts?.length === 1 && typeof k.parts[0] === "string") key = k.parts[0];
      else this.fail("expected a map key", k);
      const eq = this.next();
      if (!(eq.t === "punct" && (eq.v === "=" || eq.v === ":"))) this.fail('expected "=" after a map key', eq);
      if (entries.some((e) => e.key === key)) this.fail(`duplicate map key ${JSON.stringify(key)}`, k);
      entries.push({ key: /** @type {string} */ (key), value: this.expr() });
      const sep = this.peek();
      if (sep.t === "punct" && sep.v === ",") this.next();
      else if (sep.t !== "nl" && !(sep.t === "punct" && sep.v === "}")) this.fail('expected "," or a newline between map entries');
    }
  }
}

/** @param {string} src @param {string} file @param {number} line @returns {Expr} */
function parseExpression(src, file, line) {
  const tokens = lex(src, file).map((t) => ({ ...t, line: t.line + line - 1 }));
  const p = new Parser(tokens.filter((t) => t.t !== "nl"), file);
  const expr = p.expr();
  if (p.peek().t !== "eof") p.fail("unexpected text after the expression");
  return expr;
}

/** @param {string} src @param {string} file @returns {Body} */
export function parseHcl(src, file) {
  return new Parser(lex(src, file), file).body();
}
