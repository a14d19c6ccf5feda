// The fake Slack lives in the product (the sandbox serves it); tests use the same one.
export * from '../../src/sandbox/fake-slack.js';
