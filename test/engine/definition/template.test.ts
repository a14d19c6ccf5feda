import { describe, expect, it } from 'vitest';
import { resolveJson, resolvePlaceholders } from '../../../src/engine/definition/index.js';

const vars = { version: '2.5.0', environment: 'production', deviceId: 'web-01', serviceName: 'nginx' };

describe('resolvePlaceholders', () => {
  it.each([
    ['Deploy {version} to {environment}.', 'Deploy 2.5.0 to production.'],
    ['Restart {{serviceName}} on {{deviceId}}', 'Restart nginx on web-01'],
    ['{version} and {{version}}', '2.5.0 and 2.5.0'],
    ['Unknown {release} and {{release}} stay', 'Unknown {release} and {{release}} stay'],
    ['Not names: { version } {ver-sion} {}', 'Not names: { version } {ver-sion} {}'],
    ['{constructor} is not a variable', '{constructor} is not a variable'],
    ['no placeholders', 'no placeholders'],
  ])('resolves %j', (text, expected) => {
    expect(resolvePlaceholders(text, vars)).toBe(expected);
  });

  it('does not expand a placeholder that a value brings in', () => {
    expect(resolvePlaceholders('{a}', { a: '{b}', b: 'no' })).toBe('{b}');
  });

  it('substitutes an empty value', () => {
    expect(resolvePlaceholders('[{x}]', { x: '' })).toBe('[]');
  });
});

describe('resolveJson', () => {
  it('substitutes in every string at any depth and leaves keys and other values alone', () => {
    const input = { '{{deviceId}}': '{{deviceId}}', list: ['{version}', 3, true, null, { deep: 'svc {{serviceName}}' }] };
    expect(resolveJson(input, vars)).toEqual({ '{{deviceId}}': 'web-01', list: ['2.5.0', 3, true, null, { deep: 'svc nginx' }] });
  });

  it('returns a new value and leaves the input untouched', () => {
    const input = { a: ['{version}'] };
    resolveJson(input, vars);
    expect(input).toEqual({ a: ['{version}'] });
  });
});
