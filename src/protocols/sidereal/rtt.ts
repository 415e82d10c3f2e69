/**
 * Round-trip time estimation and the retransmission timeout, after RFC 6298 ("Computing TCP's
 * Retransmission Timer"): SRTT and RTTVAR with alpha = 1/8 and beta = 1/4, RTO = SRTT +
 * max(G, 4 * RTTVAR), Karn's rule (the caller never samples a retransmitted packet) and
 * exponential back-off on each timeout (section 5.5).
 *
 * Two departures, both for game traffic: the floor is `minRtoMs` (default 100 ms) instead of
 * section 2.4's 1 s, because a world state a second old is worthless; and the back-off resets
 * on any new acknowledgement (as QUIC's PTO count does, RFC 9002 section 6.2.1) rather than
 * only on a fresh sample, because per-packet ACKs prove progress without ambiguity.
 */
export interface RttOptions {
  /** RTO before the first sample (RFC 6298 2.1). Default 1000 ms. */
  readonly initialRtoMs: number;
  /** Floor of the RTO. Default 100 ms. */
  readonly minRtoMs: number;
  /** Ceiling of the RTO, back-off included (RFC 6298 2.5 allows >= 60 s; games want less). Default 5000 ms. */
  readonly maxRtoMs: number;
  /** Clock granularity G. Default 1 ms. */
  readonly granularityMs: number;
}

export const defaultRttOptions: RttOptions = {
  initialRtoMs: 1000,
  minRtoMs: 100,
  maxRtoMs: 5000,
  granularityMs: 1,
};

export interface RttEstimator {
  /** Smoothed round-trip time, ms; undefined before the first sample. */
  readonly srtt: number | undefined;
  readonly rttvar: number | undefined;
  /** The current retransmission timeout, back-off included, ms. */
  readonly rto: number;
  /** Feed one measured round trip (of a packet sent once: Karn's rule). */
  sample(rttMs: number): void;
  /** A retransmission timer expired: double the RTO (capped). */
  backOff(): void;
  /** New data was acknowledged: drop the back-off. */
  resetBackOff(): void;
}

export function createRttEstimator(options: Partial<RttOptions> = {}): RttEstimator {
  const o = { ...defaultRttOptions, ...options };
  const clamp = (ms: number) => Math.min(o.maxRtoMs, Math.max(o.minRtoMs, ms));
  let srtt: number | undefined;
  let rttvar: number | undefined;
  let base = clamp(o.initialRtoMs);
  let factor = 1;

  return {
    get srtt() {
      return srtt;
    },
    get rttvar() {
      return rttvar;
    },
    get rto() {
      return Math.min(o.maxRtoMs, base * factor);
    },
    sample(rttMs) {
      if (!Number.isFinite(rttMs) || rttMs < 0) return;
      if (srtt === undefined || rttvar === undefined) {
        // RFC 6298 2.2: the first measurement.
        srtt = rttMs;
        rttvar = rttMs / 2;
      } else {
        // RFC 6298 2.3: RTTVAR first, with the SRTT before this sample.
        rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rttMs);
        srtt = 0.875 * srtt + 0.125 * rttMs;
      }
      base = clamp(srtt + Math.max(o.granularityMs, 4 * rttvar));
    },
    backOff() {
      // Bounded: once the product reaches the ceiling, doubling stops.
      if (base * factor < o.maxRtoMs) factor *= 2;
    },
    resetBackOff() {
      factor = 1;
    },
  };
}
