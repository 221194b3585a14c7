// PAYONE Server API adapter: request/response mapping, HTTP client, TransactionStatus checks.
// Translates between PAYONE's wire format and the payments module; holds no business rules.
export { PayoneHttpClient } from './client.ts';
export { classifyErrorCode, isRetryableErrorCode } from './error-codes.ts';
export { decodeForm, encodeForm, type PayoneEncoding } from './form.ts';
export { clientApiHash, isNotificationKeyValid, type KeyHash, requestKey } from './key.ts';
export * from './mapping.ts';
export { checkNotification, ipAllowed, type NotificationAuth, parseCidrs } from './notification.ts';
export { PayoneProvider } from './provider.ts';
export { parseResponse } from './response.ts';
export { Secret } from './secret.ts';
