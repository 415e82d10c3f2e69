import type { z } from 'zod';

/**
 * `schema.safeParse(value)`, with a compiled fast path for the messages of the hot path.
 *
 * zod runs every refinement of every field through its generic check loop: `z.number().int()
 * .min(0).max(n)` costs about twenty times a `typeof`. For the common subset of zod (objects,
 * arrays, numbers and strings with their bounds, literals, enums, optional, nullable, scalar
 * unions and discriminated unions) a schema is compiled once into a plain predicate. The
 * predicate is conservative: it answers `true` only for a value zod accepts *and* returns
 * unchanged (no key stripped, no default, no transform); then the value itself is the parsed
 * data. Anything else (an invalid value, an unknown key to strip, a schema outside the subset)
 * goes to zod, which words the refusal or builds the output. test/core/validate.test.ts checks
 * the predicate against zod on generated values.
 *
 * @example
 * const parsed = validate(messages.client.move, payload);
 * if (!parsed.success) return refuse(describeIssues(parsed.error.issues));
 */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseResult<z.output<S>> {
  const check = predicateOf(schema);
  if (check !== null && check(value)) return { success: true, data: value as z.output<S> };
  return schema.safeParse(value);
}

type Predicate = (value: unknown) => boolean;

const compiled = new WeakMap<z.ZodType, Predicate | null>();

/** The compiled predicate of a schema, or `null` when it is outside the subset (zod always runs). */
export function predicateOf(schema: z.ZodType): Predicate | null {
  let predicate = compiled.get(schema);
  if (predicate === undefined) {
    predicate = compile(schema);
    compiled.set(schema, predicate);
  }
  return predicate;
}

/** The parts of zod's schema definitions (`schema._zod.def`, zod's API for library authors) read here. */
interface Def {
  readonly type: string;
  readonly coerce?: boolean;
  readonly checks?: readonly { readonly _zod: { readonly def: CheckDef } }[];
  // number formats (z.int(), z.int32()) carry their check on the schema itself
  readonly check?: string;
  readonly format?: string;
  readonly values?: readonly unknown[];
  readonly entries?: Record<string, unknown>;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly unionFallback?: boolean;
  readonly inclusive?: boolean;
}

interface CheckDef {
  readonly check: string;
  readonly value?: unknown;
  readonly inclusive?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly length?: number;
  readonly format?: string | undefined;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const INT_RANGES: Record<string, readonly [number, number]> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** Kinds whose accepted values zod returns as they are (scalar unions are safe over them). */
const SCALAR = new Set(['number', 'string', 'boolean', 'literal', 'enum', 'null', 'undefined']);

function compile(schema: z.ZodType): Predicate | null {
  const def = defOf(schema);
  if (def.coerce) return null;
  const checks = (def.checks ?? []).map((check) => check._zod.def);
  switch (def.type) {
    case 'number':
      return number(def, checks);
    case 'string':
      // A string format (email, uuid, regex...) is left to zod.
      if (def.format !== undefined) return null;
      return lengths(checks, (value) => typeof value === 'string');
    case 'boolean':
      return checks.length ? null : (value) => typeof value === 'boolean';
    case 'null':
      return (value) => value === null;
    case 'undefined':
      return (value) => value === undefined;
    case 'unknown':
    case 'any':
      return checks.length ? null : () => true;
    case 'literal': {
      const values = new Set(def.values);
      return checks.length ? null : (value) => values.has(value);
    }
    case 'enum': {
      const values = Object.values(def.entries ?? {});
      // TypeScript numeric enums have reverse keys: zod filters them; leave them to zod.
      if (checks.length || values.some((v) => typeof v !== 'string')) return null;
      const set = new Set(values);
      return (value) => set.has(value);
    }
    case 'optional': {
      const inner = def.innerType && !checks.length ? compile(def.innerType) : null;
      return inner && ((value) => value === undefined || inner(value));
    }
    case 'nullable': {
      const inner = def.innerType && !checks.length ? compile(def.innerType) : null;
      return inner && ((value) => value === null || inner(value));
    }
    case 'array': {
      const element = def.element ? compile(def.element) : null;
      if (!element) return null;
      return lengths(checks, (value) => {
        if (!Array.isArray(value)) return false;
        for (let i = 0; i < value.length; i++) if (!element(value[i])) return false;
        return true;
      });
    }
    case 'object':
      return checks.length ? null : object(def);
    case 'union':
      return checks.length ? null : union(def);
    default:
      // transforms, pipes, defaults, records, tuples, lazies, dates...: zod's own.
      return null;
  }
}

function number(def: Def, refinements: readonly CheckDef[]): Predicate | null {
  let min = -Infinity;
  let max = Infinity;
  let minInclusive = true;
  let maxInclusive = true;
  let integer = false;
  // z.int(), z.int32(): the schema is its own format check.
  const checks =
    def.check === 'number_format' ? [{ check: def.check, format: def.format }, ...refinements] : refinements;
  for (const check of checks) {
    if (check.check === 'number_format') {
      const range = check.format === undefined ? undefined : INT_RANGES[check.format];
      if (!range) return null;
      integer = true;
      if (range[0] > min) [min, minInclusive] = [range[0], true];
      if (range[1] < max) [max, maxInclusive] = [range[1], true];
    } else if (check.check === 'greater_than' && typeof check.value === 'number') {
      if (check.value > min || (check.value === min && !check.inclusive))
        [min, minInclusive] = [check.value, check.inclusive === true];
    } else if (check.check === 'less_than' && typeof check.value === 'number') {
      if (check.value < max || (check.value === max && !check.inclusive))
        [max, maxInclusive] = [check.value, check.inclusive === true];
    } else {
      return null;
    }
  }
  return (value) =>
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (minInclusive ? value >= min : value > min) &&
    (maxInclusive ? value <= max : value < max);
}

/** min_length / max_length / length_equals (strings and arrays) around a type predicate. */
function lengths(checks: readonly CheckDef[], base: Predicate): Predicate | null {
  let min = 0;
  let max = Infinity;
  for (const check of checks) {
    if (check.check === 'min_length' && check.minimum !== undefined) min = Math.max(min, check.minimum);
    else if (check.check === 'max_length' && check.maximum !== undefined) max = Math.min(max, check.maximum);
    else if (check.check === 'length_equals' && check.length !== undefined) {
      min = Math.max(min, check.length);
      max = Math.min(max, check.length);
    } else return null;
  }
  if (min === 0 && max === Infinity) return base;
  return (value) => {
    if (!base(value)) return false;
    const length = (value as { length: number }).length;
    return length >= min && length <= max;
  };
}

function object(def: Def): Predicate | null {
  const catchall = def.catchall && defOf(def.catchall).type;
  // Unknown keys: stripped (no catchall) or refused (strict) by zod, so the value must have
  // none; kept as they are by a loose object.
  if (catchall !== undefined && catchall !== 'never' && catchall !== 'unknown' && catchall !== 'any')
    return null;
  const extraKeysAllowed = catchall === 'unknown' || catchall === 'any';
  const keys: string[] = [];
  const checks: Predicate[] = [];
  const optional: boolean[] = [];
  /** Keys every object inherits (`toString`...): present only if the value's own. */
  const inherited: boolean[] = [];
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const check = compile(field);
    if (!check) return null;
    keys.push(key);
    checks.push(check);
    optional.push(defOf(field).type === 'optional');
    inherited.push(key in Object.prototype);
  }
  const count = keys.length;
  return (value) => {
    if (typeof value !== 'object' || value === null) return false;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    const record = value as Record<string, unknown>;
    let present = 0;
    for (let i = 0; i < count; i++) {
      const key = keys[i] as string;
      const field = record[key];
      if (field === undefined) {
        // Missing is fine for an optional field; an explicit undefined is kept or dropped by
        // zod depending on the field: zod decides.
        if (!optional[i] || Object.hasOwn(record, key)) return false;
        continue;
      }
      if ((inherited[i] && !Object.hasOwn(record, key)) || !(checks[i] as Predicate)(field)) return false;
      present++;
    }
    if (extraKeysAllowed) return true;
    // Own and inherited enumerable keys: any beyond the fields present is one zod would strip.
    let keysSeen = 0;
    for (const _key in record) keysSeen++;
    return keysSeen === present;
  };
}

function union(def: Def): Predicate | null {
  const options = def.options ?? [];
  if (def.discriminator !== undefined) {
    if (def.unionFallback) return null;
    const byTag = new Map<unknown, Predicate>();
    for (const option of options) {
      const tagSchema = defOf(option).shape?.[def.discriminator];
      const tags = tagSchema && defOf(tagSchema).type === 'literal' ? defOf(tagSchema).values : undefined;
      const check = compile(option);
      if (!tags || !check) return null;
      for (const tag of tags) byTag.set(tag, check);
    }
    const key = def.discriminator;
    return (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const check = byTag.get((value as Record<string, unknown>)[key]);
      return check !== undefined && check(value);
    };
  }
  // An exclusive union (z.xor) refuses a value two options accept: zod decides.
  if (def.inclusive === false) return null;
  // zod returns the first option that accepts: only scalar options are sure to return the
  // value unchanged whichever accepts it.
  const checks: Predicate[] = [];
  for (const option of options) {
    const check = SCALAR.has(defOf(option).type) ? compile(option) : null;
    if (!check) return null;
    checks.push(check);
  }
  return (value) => checks.some((check) => check(value));
}
