/**
 * `chartroom/tools`: diagrams of statecharts from their definitions (browser-safe).
 *
 * @example
 * import { toMermaid } from 'chartroom/tools';
 * console.log(toMermaid(myGameMachine));
 */
export { toMermaid } from './mermaid.js';
export type { MermaidOptions } from './mermaid.js';
export { chartMarkdown, chartPages, mermaidBlock } from './charts.js';
export type { ChartPage } from './charts.js';
