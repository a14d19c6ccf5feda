// Signed Slack requests and payload builders live in the product (the sandbox sends them); tests use the same ones.
export * from '../../src/sandbox/slack-requests.js';
