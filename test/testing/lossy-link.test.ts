import { describe, expect, it } from 'vitest';
import { createFaultyChannel, createSimulatedClock } from 'chartroom/testing';
import type { LinkFaults } from 'chartroom/testing';

/** Pass frames 0..n-1 through a channel and return what arrived, in order. */
function run(faults: Omit<LinkFaults, 'clock'>, n = 200) {
  const clock = createSimulatedClock();
  const channel = createFaultyChannel({ ...faults, clock });
  const received: string[] = [];
  for (let i = 0; i < n; i++) {
    channel.pass(String(i), (frame) => received.push(String(frame)));
    clock.advance(1);
  }
  clock.advance(10_000);
  return { received, stats: channel.stats };
}

describe('lossy link', () => {
  it('delivers everything in order without faults', () => {
    const { received } = run({ seed: 1 }, 50);
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('makes the same decisions for the same seed and others for another seed', () => {
    const faults = { loss: 0.2, duplicate: 0.1, reorder: 0.1, delayMs: [1, 20] as const };
    expect(run({ seed: 7, ...faults })).toEqual(run({ seed: 7, ...faults }));
    expect(run({ seed: 8, ...faults }).received).not.toEqual(run({ seed: 7, ...faults }).received);
  });

  it('loses, duplicates and reorders at about the configured rates', () => {
    const { received, stats } = run({ seed: 3, loss: 0.1, duplicate: 0.1, reorder: 0.1 }, 2000);
    expect(stats.lost).toBeGreaterThan(120);
    expect(stats.lost).toBeLessThan(280);
    expect(stats.duplicated).toBeGreaterThan(100);
    expect(stats.reordered).toBeGreaterThan(100);
    expect(received.length).toBe(2000 - stats.lost + stats.duplicated);
    const numbers = received.map(Number);
    expect(numbers.some((value, i) => i > 0 && value < numbers[i - 1]!)).toBe(true);
  });

  it('stops every fault once healed', () => {
    const clock = createSimulatedClock();
    const channel = createFaultyChannel({ seed: 5, clock, loss: 1 });
    const received: string[] = [];
    channel.pass('lost', (f) => received.push(String(f)));
    channel.heal();
    channel.pass('kept', (f) => received.push(String(f)));
    expect(received).toEqual(['kept']);
  });
});
