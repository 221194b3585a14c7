// PAYONE error codes the simulator answers with. Message texts are PAYONE's own, taken from the error catalogue
// that PAYONE ships with its OXID module (fixtures/PAYONE-GmbH+oxid-6/payoneerrors.xml, see the fixtures README).
// Customer messages: the parameter text and the expiry text are PAYONE's (fixtures); the others are the simulator's.

export const PAYONE_ERROR_MESSAGES = {
  1: 'Card issuer temporarily not available',
  2: 'Authorization declined',
  4: 'Card not approved',
  5: 'Authorization declined',
  7: 'Required CVC code not specified or not valid',
  13: 'Limit exceeded',
  14: 'Invalid card',
  33: 'Expiry date invalid, incorrect or in the past',
  43: 'Card stolen',
  56: 'Card unknown',
  80: 'Amount no longer available',
  91: 'Card issuer temporarily not available',
  872: 'Pseudo card PAN not found',
  877: 'Invalid card number (Luhn check for this PAN incorrect)',
  878: 'Invalid card number (syntax check for this PAN incorrect)',
  879: 'CVC2 code incorrect length or incorrect syntax',
  880: 'Card type does not correspond with card number',
  900: 'Internal error',
  903: 'No connection to external service provider possible (timeout, breakdown)',
  906: 'Refund amount too high',
  907: 'Sequence no incorrect',
  908: 'Capture amount too high',
  910: 'Currency does not correspond with the referenced payment process',
  911: 'Reference number already exists',
  913: 'Referenced payment process (txid) not found',
  915: 'Refund not possible',
  916: 'Amount error',
  923: 'Payment type not available for this currency or card type',
  926: 'Incorrect mode for the referenced payment process',
  935: 'Amount for multiple partial capture cannot be 0',
  944: 'Amount too small',
  945: 'Amount too high',
  950: 'Desired status change not possible for this payment process',
  1000: 'Parameter faulty or missing',
  1001: 'Parameter {clearingtype} faulty or missing',
  1003: 'Parameter {reference} faulty or missing',
  1005: 'Parameter {currency} faulty or missing',
  1008: 'Parameter {txid} faulty or missing',
  1009: 'Parameter {sequencenumber} faulty or missing',
  1010: 'Parameter {mode} faulty or missing',
  1012: 'Parameter {api_version} incorrect or missing',
  1016: 'Parameter {amount} faulty or missing',
  1031: 'Parameter {settleaccount} faulty',
  1032: 'Parameter {capturemode} faulty',
  1035: 'Parameter {transactiontype} faulty or missing',
  1036: 'Parameter {customer_is_present} faulty or missing',
  1037: 'Parameter {recurrence} faulty or missing',
  1041: 'Parameter {successurl} faulty or missing',
  1042: 'Parameter {backurl} faulty or missing',
  1043: 'Parameter {errorurl} faulty or missing',
  1073: 'Parameter {pseudocardpan} faulty or missing',
  1076: 'Parameter {cardtype} faulty or missing',
  1077: 'Parameter {cardexpiredate} faulty or missing',
  1078: 'Parameter {cardpan} faulty or missing',
  1079: 'Parameter {cardcvc2} faulty or missing',
  1201: 'Parameter {encoding} faulty or missing',
  1202: 'Parameter {request} faulty or missing',
  1203: 'Parameter {mid} faulty or missing',
  1204: 'Parameter {aid} faulty or missing',
  1205: 'Parameter {portalid} faulty or missing',
  1206: 'Parameter {key} faulty',
  1302: 'Parameter {lastname} faulty or missing',
  1340: 'Parameter {country} faulty or missing',
  1999: 'Parameter {ecommercemode} faulty or missing',
  2002: 'Request not supported by activated channel',
  2003: 'MerchantID not found or no rights',
  2004: 'SubAccountID not found or no rights',
  2005: 'PortalID not found or no rights',
  2006: 'Key incorrect',
  2007: 'Hash incorrect',
  2013: 'API-request contains invalid characters (e.g. control characters, non-matching encoding)',
  4218: '3D Secure authentication failed',
  4219: 'Successful 3D Secure authentication required',
} as const satisfies Record<number, string>;

export type PayoneErrorCode = keyof typeof PAYONE_ERROR_MESSAGES;

/** PAYONE's customer message for parameter errors (fixture json_error_1203_missing_mid.json), typo included. */
export const WRONG_PARAMETERS_CUSTOMER_MESSAGE =
  'An error occured while processing this transaction (wrong parameters).';
const CUSTOMER_MESSAGES: Partial<Record<PayoneErrorCode, string>> = {
  // PAYONE's text (fixtures academe+OmniPay-Payone/tests/Mock/ShopAuthorizeFailure.txt).
  33: 'Invalid card expiry date. Please verify your card data.',
  // The simulator's own texts below.
  7: 'Invalid card security code. Please verify your card data.',
  13: 'The payment was declined. Please use another card.',
  877: 'Invalid card number. Please verify your card data.',
  878: 'Invalid card number. Please verify your card data.',
  879: 'Invalid card security code. Please verify your card data.',
  4218: 'The 3-D Secure authentication failed. Please try again or use another card.',
};
const GENERIC_CUSTOMER_MESSAGE = 'An error occured while processing this transaction.';

export interface PayoneError {
  readonly errorcode: PayoneErrorCode;
  readonly errormessage: string;
  readonly customermessage: string;
}

export function payoneError(code: PayoneErrorCode): PayoneError {
  const isParameterError = (code >= 1000 && code < 2000) || (code >= 2000 && code < 2100);
  return {
    errorcode: code,
    errormessage: PAYONE_ERROR_MESSAGES[code],
    customermessage:
      CUSTOMER_MESSAGES[code] ?? (isParameterError ? WRONG_PARAMETERS_CUSTOMER_MESSAGE : GENERIC_CUSTOMER_MESSAGE),
  };
}
