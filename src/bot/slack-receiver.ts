// Bolt's receiver for HTTP mode, with one change from its HTTPReceiver: a request whose HTTP
// answer Slack ignores (a button click, an Events API delivery) is acked as soon as its
// signature checks out, before Bolt's middleware and listeners see it, and they run on a
// later turn of the event loop. Bolt's own receiver answers only when a listener calls
// ack(), so in a burst of clicks every answer waited behind the middleware of the requests
// read before it and behind earlier clicks' work (bench/slack-latency.ts: at 50 runs
// clicked at once the ack's p99 was 2.4 × a bare Bolt app's). Everything else (slash
// commands, view submissions, whose answer carries content) is acked by its listener as
// Bolt does it.
import type { IncomingMessage, ServerResponse } from 'node:http';

import {
  type App,
  type BufferedIncomingMessage,
  HTTPModuleFunctions as http,
  HTTPResponseAck,
  type Logger,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';

export const SLACK_EVENTS_PATH = '/slack/events';

/** Payload types whose HTTP answer Slack ignores (it reads only the status). */
const ANSWER_IGNORED = new Set(['block_actions', 'event_callback', 'view_closed']);

export interface SlackReceiverOptions {
  signingSecret: string;
  logger: Logger;
  /** Bolt's default is 4 MB; Slack's requests are a few KB. */
  bodyLimit?: number;
}

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly options: SlackReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  // The service's HTTP server calls requestListener; there is nothing to start or stop here.
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** Takes requests to /slack/events (POST only) and says whether it took this one. */
  readonly route = (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? '').split('?')[0] !== SLACK_EVENTS_PATH) return false;
    if (req.method === 'POST') void this.handle(req, res);
    else res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end(JSON.stringify({ error: `${SLACK_EVENTS_PATH} takes POST` }));
    return true;
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger } = this.options;
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await http.parseAndVerifyHTTPRequest(
        { signingSecret: this.options.signingSecret, bodyLimit: this.options.bodyLimit ?? http.defaultBodyLimit },
        req,
      );
    } catch (error) {
      if (http.isRawBodyError(error) && (error.type === 'entity.too.large' || error.statusCode === 413)) {
        logger.warn(`Slack request body over the limit (${error.limit} bytes)`);
        return http.buildNoBodyResponse(res, 413);
      }
      logger.warn(`Slack request refused: ${(error as Error).message}`);
      return http.buildNoBodyResponse(res, 401);
    }
    let body: Record<string, unknown>;
    try {
      body = http.parseHTTPRequestBody(buffered) as Record<string, unknown>;
    } catch (error) {
      logger.warn(`Malformed Slack request body: ${(error as Error).message}`);
      return http.buildNoBodyResponse(res, 400);
    }
    if (body.ssl_check === '1') return http.buildSSLCheckResponse(res);
    if (body.type === 'url_verification') return http.buildUrlVerificationResponse(res, body);

    const retries = { retryNum: http.extractRetryNumFromHTTPRequest(req), retryReason: http.extractRetryReasonFromHTTPRequest(req) };
    if (typeof body.type === 'string' && ANSWER_IGNORED.has(body.type)) {
      http.buildContentResponse(res, '');
      // Bolt's listeners still call ack(); the answer is already out.
      const event: ReceiverEvent = { body, ack: async () => {}, ...retries };
      // On the check phase, after the other requests this turn of the loop has read.
      setImmediate(() => {
        this.app?.processEvent(event).catch((error: unknown) => {
          logger.error(`Slack ${String(body.type)} failed after its ack: ${(error as Error).message}`);
        });
      });
      return;
    }

    const ack = new HTTPResponseAck({ logger, processBeforeResponse: false, httpRequest: buffered, httpRequestBody: body, httpResponse: res });
    try {
      await this.app?.processEvent({ body, ack: ack.bind(), ...retries });
    } catch (error) {
      const answered = await http.defaultProcessEventErrorHandler({ error: error as Error, logger, request: req, response: res, storedResponse: undefined });
      if (answered) ack.ack();
    }
  }
}
