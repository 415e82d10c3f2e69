/**
 * `validate`'s compiled fast path against zod itself: whenever the predicate accepts a value,
 * zod accepts it too and returns it unchanged (soundness); and the values the hot path really
 * carries are accepted by the predicate (so the fast path is taken, not silently skipped).
 */
import { fc, test } from '@fast-check/vitest';
import { validate } from 'chartroom';
import { lockstepMessages } from 'chartroom/sync/lockstep';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { predicateOf } from '../../src/core/validate.js';
import { arenaCommand } from '../../examples/lockstep-arena/engine.js';

const lsCmd = lockstepMessages(arenaCommand).client['ls.cmd'];

const coord = fc.integer({ min: 0, max: 1000 });
const validPacket = fc.record(
  {
    turn: fc.integer({ min: 0, max: 2 ** 31 }),
    commands: fc.array(
      fc.record({ kind: fc.constantFrom('move' as const, 'fire' as const), x: coord, y: coord }),
      { maxLength: 32 },
    ),
    latency_ms: fc.double({ min: 0, max: 60_000, noNaN: true }),
    fps: fc.double({ min: 0, max: 1000, noNaN: true }),
    checksum: fc.record({
      turn: fc.integer({ min: 0, max: 2 ** 31 }),
      value: fc.string({ minLength: 1, maxLength: 128 }),
    }),
    ack: fc.integer({ min: -1, max: 2 ** 31 }),
  },
  { requiredKeys: ['turn', 'commands', 'latency_ms', 'fps', 'ack'] },
);

/** Schemas over every construct the compiler knows, with a generator of values they accept unchanged. */
const cases: { name: string; schema: z.ZodType; valid: fc.Arbitrary<unknown> }[] = [
  { name: 'ls.cmd', schema: lsCmd, valid: validPacket },
  {
    name: 'number bounds and formats',
    schema: z.object({
      a: z.number().int().min(-5).max(5),
      b: z.int32().optional(),
      c: z.number().gt(0).lt(1),
      d: z.uint32().nullable(),
      e: z.int().positive(),
    }),
    valid: fc.record(
      {
        a: fc.integer({ min: -5, max: 5 }),
        b: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        c: fc.double({ min: 0, max: 1, minExcluded: true, maxExcluded: true, noNaN: true }),
        d: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { nil: null }),
        e: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      },
      { requiredKeys: ['a', 'c', 'd', 'e'] },
    ),
  },
  {
    name: 'strings, enums, literals',
    schema: z.object({
      s: z.string().min(1).max(3),
      t: z.string().length(2),
      e: z.enum(['x', 'y']),
      l: z.literal(['a', 1, null]),
      b: z.boolean(),
    }),
    valid: fc.record({
      s: fc.string({ minLength: 1, maxLength: 3 }),
      t: fc.string({ minLength: 2, maxLength: 2 }),
      e: fc.constantFrom('x', 'y'),
      l: fc.constantFrom('a', 1, null),
      b: fc.boolean(),
    }),
  },
  {
    name: 'scalar union in a bounded array',
    schema: z
      .array(z.union([z.number(), z.string().max(2), z.boolean()]))
      .min(1)
      .max(3),
    valid: fc.array(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ maxLength: 2 }),
        fc.boolean(),
      ),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  },
  {
    name: 'strict and loose objects',
    schema: z.object({ strict: z.strictObject({ a: z.number() }), loose: z.looseObject({ a: z.number() }) }),
    valid: fc.record({
      strict: fc.record({ a: fc.integer() }),
      loose: fc.record({ a: fc.integer(), extra: fc.jsonValue() }, { requiredKeys: ['a'] }),
    }),
  },
  {
    name: 'unknown fields',
    schema: z.object({ any: z.unknown(), list: z.array(z.any()).max(2) }),
    valid: fc.record({ any: fc.jsonValue(), list: fc.array(fc.jsonValue(), { maxLength: 2 }) }),
  },
];

/** Odd values zod is strict about: NaN, infinities, -0, unsafe integers, undefined, ... */
const oddValue = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -Infinity,
  -0,
  1.5,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53,
  undefined,
  '',
  'toString',
  [],
  {},
  null,
  new Date(0),
);
const anyValue = fc.oneof(fc.jsonValue(), oddValue);

/** A valid value with one leaf replaced, one key added or one key removed. */
function mutate(value: unknown, replacement: unknown, pick: number, action: number): unknown {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(node)) node.forEach((child, i) => walk(child, [...path, i]));
    else if (typeof node === 'object' && node !== null)
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
  };
  walk(value, []);
  const path = paths[pick % paths.length] ?? [];
  const copy = structuredClone(value);
  if (path.length === 0) return action % 3 === 0 ? replacement : copy;
  type Node = Record<string | number, unknown>;
  const parent = path.slice(0, -1).reduce<Node>((node, key) => node[key] as Node, copy as Node);
  const key = path.at(-1)!;
  if (action % 3 === 0) parent[key] = replacement;
  else if (action % 3 === 1 && !Array.isArray(parent)) Reflect.deleteProperty(parent, key);
  else if (!Array.isArray(parent)) parent['unexpected'] = replacement;
  else parent[key] = replacement;
  return copy;
}

describe('validate: the compiled fast path agrees with zod', () => {
  for (const { name, schema, valid } of cases) {
    it(`compiles ${name}`, () => expect(predicateOf(schema)).not.toBeNull());

    test.prop([valid])(`${name}: the values it carries take the fast path`, (value) => {
      expect(schema.safeParse(value).success).toBe(true);
      expect(predicateOf(schema)!(value)).toBe(true);
    });

    test.prop([fc.oneof(valid, anyValue), anyValue, fc.nat(), fc.nat()], { numRuns: 400 })(
      `${name}: whatever the fast path accepts, zod accepts and returns unchanged`,
      (base, replacement, pick, action) => {
        const value = mutate(base, replacement, pick, action);
        const fast = predicateOf(schema)!(value);
        const parsed = schema.safeParse(value);
        if (fast) {
          expect(parsed.success).toBe(true);
          expect(parsed.data).toStrictEqual(value);
        }
        const result = validate(schema, value);
        expect(result.success).toBe(parsed.success);
        if (result.success) expect(result.data).toStrictEqual(parsed.data);
      },
    );
  }

  it('leaves schemas outside the subset to zod', () => {
    for (const schema of [
      z.number().multipleOf(2),
      z.string().email(),
      z.string().trim(),
      z.number().default(1),
      z.number().transform((n) => n * 2),
      z.object({ a: z.number() }).refine((o) => o.a > 0),
      z.union([z.object({ a: z.number() }), z.object({ b: z.number() })]),
      z.xor([z.number(), z.number().int()]),
      z.record(z.string(), z.number()),
      z.coerce.number(),
    ])
      expect(predicateOf(schema)).toBeNull();
    expect(validate(z.number().multipleOf(2), 4)).toEqual({ success: true, data: 4 });
    expect(validate(z.number().multipleOf(2), 3).success).toBe(false);
  });

  it('strips unknown keys through zod, as zod would', () => {
    const schema = z.object({ a: z.number() });
    expect(validate(schema, { a: 1, b: 2 })).toMatchObject({ success: true, data: { a: 1 } });
  });
});
