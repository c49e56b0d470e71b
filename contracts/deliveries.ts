/**
 * The external-delivery activity as workflows call it (notifications/outbox.ts
 * createDeliveryActivities implements it; test/contracts.test.ts checks that they still fit).
 * Workflows never import notifications/: they proxy this interface.
 */

export interface DeliveryResult {
  /** messages this call sent */
  sent: number;
  /** messages already sent, by an earlier call or a concurrent one */
  skipped: number;
}

export interface DeliveryActivities {
  /** sends the event's e-mails and webhook message; throws (so Temporal retries) when one fails */
  deliverNotifications(req: { eventKey: string }): Promise<DeliveryResult>;
}
