/**
 * The addresses an operator gives `redrive`: SQS queue URLs and Lambda functions. The region comes
 * from the address where it has one, so a replay talks to the queue's own region.
 */

/** `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` (also the legacy `REGION.queue.amazonaws.com`, dual-stack `sqs.REGION.api.aws`, or any host an endpoint override names). */
const QUEUE_URL = /^https?:\/\/([^/\s]+)\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const REGIONAL_HOSTS = [new RegExp(`^sqs\\.(${REGION})\\.(?:amazonaws\\.com(?:\\.cn)?|api\\.aws)$`), new RegExp(`^(${REGION})\\.queue\\.amazonaws\\.com(?:\\.cn)?$`)];

export interface QueueAddress {
  url: string;
  account: string;
  name: string;
  /** From the host; undefined for a host that names none (an endpoint override). */
  region?: string;
}

export const QUEUE_URL_FORM = 'https://sqs.REGION.amazonaws.com/ACCOUNT/NAME';

/** The queue a URL names, or undefined when it is no SQS queue URL. */
export function parseQueueUrl(url: string): QueueAddress | undefined {
  const match = QUEUE_URL.exec(url);
  if (!match) return undefined;
  const [, host, account, name] = match as unknown as [string, string, string, string];
  const region = REGIONAL_HOSTS.map((r) => r.exec(host)?.[1]).find((r) => r !== undefined);
  return { url, account, name, ...(region ? { region } : {}) };
}

const FUNCTION_ARN = new RegExp(`^arn:aws[a-z-]*:lambda:(${REGION}):\\d{12}:function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$`);
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$/;

export interface FunctionAddress {
  /** As given: Lambda's Invoke takes a name, a name:qualifier or an ARN. */
  name: string;
  region?: string;
}

export const FUNCTION_FORM = 'a function name (lifeguard-STAGE-interruption) or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)';

export function parseFunction(text: string): FunctionAddress | undefined {
  const arn = FUNCTION_ARN.exec(text);
  if (arn) return { name: text, region: arn[1]! };
  return FUNCTION_NAME.test(text) ? { name: text } : undefined;
}
