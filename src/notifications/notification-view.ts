// Shared with the web console, which type-checks without Node's types: keep this module import-light.

/** The events a customer admin may hear about. */
export const NOTIFICATION_EVENTS = ['run.failed', 'run.held', 'feed.stale'] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];

/** What a webhook is sent: an event, or the console's "Send test event". */
export type WebhookEventType = NotificationEventType | 'webhook.test';

/** A run as an event carries it: ids, states and counts, never a person's data. */
export interface EventRun {
  id: string;
  status: string;
  trigger: string;
  dryRun: boolean;
  createdAt: string;
  finishedAt: string | null;
  counts: Record<string, Record<string, number>>;
  issueCounts: { error: number; warning: number; info: number };
  error: { code: string; message: string } | null;
  holdReason: string;
  /** The run's page in the console. */
  url: string;
}

/** The JSON body of a webhook (and what an e-mail is written from). */
export interface NotificationEvent {
  id: string;
  type: WebhookEventType;
  occurredAt: string;
  customer: { id: string; code: string };
  /** The run the event is about; for a stale feed its last run (null when it never ran). */
  run: EventRun | null;
  /** For `feed.stale`: the last successful sync (null: none yet). */
  feed?: { lastSuccessAt: string | null };
}

/** A user's e-mail choices: the three events (customer admins), the daily digest (enterprise admins). */
export interface NotificationPreferences {
  runFailed: boolean;
  runHeld: boolean;
  feedStale: boolean;
  dailyDigest: boolean;
}

/** The preferences page: the choices, and whether e-mail is set up at all. */
export interface PreferencesView {
  preferences: NotificationPreferences;
  email: { enabled: boolean; address: string };
  /** 'customer': the three events of the user's customer; 'platform': the daily digest of all customers. */
  scope: 'customer' | 'platform';
}

/** A customer's webhook as the API shows it: never its secret. */
export interface WebhookView {
  url: string;
  createdAt: string;
  updatedAt: string;
}

export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One line of the delivery log. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  url: string;
  status: DeliveryStatus;
  attempt: number;
  statusCode: number | null;
  durationMs: number | null;
  error: string;
  nextRetryAt: string | null;
  createdAt: string;
  updatedAt: string;
}
