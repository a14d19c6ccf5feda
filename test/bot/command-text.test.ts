import { describe, expect, it } from 'vitest';

import { CommandTextError, parseCommandText, tokenize } from '../../src/bot/command-text.js';

function refusal(text: string): CommandTextError {
  try {
    parseCommandText(text);
  } catch (e) {
    if (e instanceof CommandTextError) return e;
    throw e;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('tokenize', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['key="a b" x', ['key=a b', 'x']],
    ["k='it is' z", ['k=it is', 'z']],
    ['k=“smart quotes” z', ['k=smart quotes', 'z']],
    ['k="" z', ['k=', 'z']],
    ['"Deploy to Production" v=1', ['Deploy to Production', 'v=1']],
  ])('splits %j into %j', (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  it('refuses an unclosed quote and names it', () => {
    expect(() => tokenize('k="open')).toThrow('a quote (") is not closed');
  });
});

describe('parseCommandText', () => {
  it('treats empty text as help', () => {
    expect(parseCommandText('  ')).toEqual({ type: 'help' });
  });

  it('reads start with a multi-word name and quoted values', () => {
    expect(parseCommandText('start Deploy to Production version="1.2 beta" environment=staging')).toEqual({
      type: 'start',
      runbook: 'Deploy to Production',
      variables: { version: '1.2 beta', environment: 'staging' },
    });
  });

  it('keeps = inside a value and unescapes what Slack escaped', () => {
    expect(parseCommandText('start deploy q=a=b note=&lt;b&gt;&amp;')).toEqual({
      type: 'start',
      runbook: 'deploy',
      variables: { q: 'a=b', note: '<b>&' },
    });
  });

  it('reads subcommands case-insensitively', () => {
    expect(parseCommandText('STATUS run_abc123')).toEqual({ type: 'status', runId: 'run_abc123' });
    expect(parseCommandText('list disk clean')).toEqual({ type: 'list', text: 'disk clean' });
  });

  it('reads runs filters, active meaning every unfinished status', () => {
    expect(parseCommandText('runs')).toEqual({ type: 'runs', statuses: null, filter: null });
    expect(parseCommandText('runs waiting')).toEqual({ type: 'runs', statuses: ['waiting'], filter: 'waiting' });
    expect(parseCommandText('runs active')).toMatchObject({ statuses: ['pending', 'running', 'waiting', 'paused', 'failed'] });
  });

  it('reads device=ID on start as the deviceId variable, and device ID as its own subcommand', () => {
    expect(parseCommandText('start Disk Cleanup device=web-01 path=/var')).toEqual({
      type: 'start',
      runbook: 'Disk Cleanup',
      variables: { deviceId: 'web-01', path: '/var' },
    });
    expect(parseCommandText('device web-01.prod')).toEqual({ type: 'device', deviceId: 'web-01.prod' });
  });

  it.each([
    ['deploy', null, 'unknown subcommand "deploy"'],
    ['start cleanup device=a deviceId=b', 'start', 'variable "deviceId" is given twice'],
    ['device', 'device', 'device takes one device id'],
    ['device web:01', 'device', '"web:01" is not a device id'],
    ['start', 'start', 'start needs the name of a runbook'],
    ['start deploy v=1 oops', 'start', '"oops" is not a variable'],
    ['start deploy v=1 v=2', 'start', 'variable "v" is given twice'],
    ['status', 'status', 'status takes one run id'],
    ['pause run_a run_b', 'pause', 'pause takes one run id'],
    ['cancel 42', 'cancel', '"42" is not a run id'],
    ['runs finished', 'runs', '"finished" is not a run status; use one of: active, pending'],
  ])('refuses %j, naming the problem', (text, subcommand, message) => {
    const error = refusal(text);
    expect(error.message).toContain(message);
    expect(error.subcommand).toBe(subcommand);
    expect(error.code).toBe('validation');
  });
});
