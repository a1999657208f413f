// The one error type of the API client: what the server's error envelope says, or what went wrong on
// the way (`network_error`, `bad_response`), the same whichever transport carried the call.

import type { ErrorDetail } from './types';

/** A failed call: the server's error envelope, or a transport failure (`network_error`, `bad_response`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  /** Seconds to wait before trying again (after too many wrong passcodes), when the server said. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [], retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** The message for one field, if the server (or the client) named it. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.message;
  }
}
