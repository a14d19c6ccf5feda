import type { Logger } from '../../logger.js';
import type { AlertService } from '../../services/alerts.js';
import type { BotService } from '../bot-service.js';
import type { HomeService } from '../home-service.js';

/** What every listener may use: the services, a clock and a logger. */
export interface ListenerDeps {
  bot: BotService;
  alerts: AlertService;
  home: HomeService;
  clock: () => number;
  logger: Logger;
}
