import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, errorDescriptions } from 'chartroom';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every error code of the registry with its description', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(readme, `README lacks ${code}`).toContain(`| \`${code}\` | ${errorDescriptions[code]} |`);
    }
  });

  it('gives the two-command quick start', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });
});
