// Slack Web API latency and 429s through the client's public `fetch` option (@slack/web-api
// v8): every HTTP request the WebClient makes, retries included, goes through this wrapper,
// so nothing of the client's internals is patched. Time is until Slack's answer arrives.
import type { FetchFunction } from '@slack/web-api';

import type { MetricsRecorder } from './metrics.js';

// A method name as Slack spells them (chat.postMessage, always dotted); anything else (a
// webhook path, which would carry its secret) is one label value,
// so a stray URL cannot grow the label set.
const METHOD = /^[a-zA-Z]+(?:\.[a-zA-Z]+)+$/;

/** The Web API method a request URL calls: the last path segment of `…/api/chat.update`. */
export function slackMethodOf(url: string | URL): string {
  const path = (typeof url === 'string' ? new URL(url, 'http://slack.invalid') : url).pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return METHOD.test(last) ? last : 'other';
}

export function createTimedSlackFetch(metrics: Pick<MetricsRecorder, 'slackCall'>, inner: FetchFunction = globalThis.fetch as FetchFunction): FetchFunction {
  return async (url, init) => {
    const method = slackMethodOf(url);
    const started = performance.now();
    try {
      const response = await inner(url, init);
      metrics.slackCall(method, (performance.now() - started) / 1000, response.status === 429);
      return response;
    } catch (error) {
      // A request that got no answer (refused, timed out) still took this long.
      metrics.slackCall(method, (performance.now() - started) / 1000, false);
      throw error;
    }
  };
}
