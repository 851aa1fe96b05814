// What the rest of Herald uses of outgoing webhooks: the listener the runtime adds to Herald's
// events, the deliverer whose loop runs with the workers, the service and its routes.
export {
  createWebhookDeliverer,
  createWebhookListener,
  type WebhookDeliverer,
} from './delivery.ts';
export { webhookRoutes } from './routes.ts';
export { createWebhookService, type WebhookService } from './service.ts';
