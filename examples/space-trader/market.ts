import { COMMODITIES, STATIONS, TRADE } from './data.js';
import type { Market } from './messages.js';
import { zoneContextAt } from './zones.js';

interface Listing {
  readonly commodityId: string;
  readonly base: number;
  /** Stock at which the price is the base price; stock recovers toward it. */
  readonly equilibrium: number;
  stock: number;
}

interface StationMarket {
  readonly stationId: string;
  /** The zone profit multiplier at the station: selling there pays this much more. */
  readonly profit: number;
  readonly listings: Map<string, Listing>;
}

export interface Quote {
  /** What the player pays per unit. */
  readonly buy: number;
  /** What the player gets per unit. */
  readonly sell: number;
}

/**
 * The stations' markets: stock-driven prices (buying makes a commodity dearer, selling
 * cheaper), recovering toward equilibrium over time. `view()` keeps returning the same array
 * until a price changes, so an unchanged market costs the delta engine nothing.
 */
export class Markets {
  readonly #stations = new Map<string, StationMarket>();
  #view: Market[] = [];

  constructor() {
    for (const station of STATIONS) {
      const listings = new Map<string, Listing>();
      for (const commodity of COMMODITIES) {
        const factor = station.factors[commodity.id];
        if (factor === undefined) continue;
        const equilibrium = Math.round(200 / factor);
        listings.set(commodity.id, {
          commodityId: commodity.id,
          base: commodity.basePrice * factor,
          equilibrium,
          stock: equilibrium,
        });
      }
      const profit = zoneContextAt(station.x, station.y).blended_profit_multiplier;
      this.#stations.set(station.id, { stationId: station.id, profit, listings });
    }
    this.#view = this.#build();
  }

  hasStation(stationId: string): boolean {
    return this.#stations.has(stationId);
  }

  /** Prices of a commodity at a station, or undefined when the station does not trade it. */
  quote(stationId: string, commodityId: string): Quote | undefined {
    const station = this.#stations.get(stationId);
    const listing = station?.listings.get(commodityId);
    return station && listing ? priceOf(listing, station.profit) : undefined;
  }

  stock(stationId: string, commodityId: string): number {
    return this.#stations.get(stationId)?.listings.get(commodityId)?.stock ?? 0;
  }

  /** Move stock (negative: the player bought). The caller validated the trade. */
  moveStock(stationId: string, commodityId: string, delta: number): void {
    const listing = this.#stations.get(stationId)?.listings.get(commodityId);
    if (!listing) return;
    listing.stock = Math.max(0, listing.stock + delta);
    this.#refresh();
  }

  /** One recovery step: every stock moves a tenth of the way back to its equilibrium. */
  recover(): void {
    for (const station of this.#stations.values()) {
      for (const listing of station.listings.values()) {
        const gap = listing.equilibrium - listing.stock;
        listing.stock += Math.sign(gap) * Math.ceil(Math.abs(gap) / 10);
      }
    }
    this.#refresh();
  }

  /** The `markets` section: every station's prices. The same array while nothing changed. */
  view(): Market[] {
    return this.#view;
  }

  #refresh(): void {
    const next = this.#build();
    const same = next.every((market, i) =>
      market.prices.every((price, j) => {
        const before = this.#view[i]?.prices[j];
        return before?.buy === price.buy && before.sell === price.sell;
      }),
    );
    if (!same) this.#view = next;
  }

  #build(): Market[] {
    return [...this.#stations.values()].map((station) => ({
      station_id: station.stationId,
      prices: [...station.listings.values()].map((listing) => ({
        commodity_id: listing.commodityId,
        ...priceOf(listing, station.profit),
      })),
    }));
  }
}

function priceOf(listing: Listing, profit: number): Quote {
  const pressure = Math.min(2, Math.max(0.5, Math.sqrt(listing.equilibrium / Math.max(1, listing.stock))));
  const mid = listing.base * pressure;
  const buy = Math.ceil(mid * (1 + TRADE.spread));
  // Never above the station's own buy price, or buying and selling on the spot would mint credits.
  const sell = Math.max(1, Math.min(buy - 1, Math.floor(mid * (1 - TRADE.spread) * profit)));
  return { buy, sell };
}
