/**
 * The one registry of error codes. Every error the API returns is one of these;
 * docs/api.md's error table is checked against this list by test/docs/docs.test.ts.
 * `code` is the stable machine-readable code of the brief; `type` is the
 * OpenAI-style error type the official SDKs expect.
 */
export const ERRORS = {
  invalid_request: { status: 400, type: 'invalid_request_error', description: 'Malformed request body or missing fields' },
  previous_response_not_found: { status: 400, type: 'invalid_request_error', description: 'previous_response_id names no stored response of this workspace' },
  unauthorized: { status: 401, type: 'authentication_error', description: 'Invalid, revoked or missing API key' },
  credits_exhausted: { status: 402, type: 'insufficient_quota', description: 'The workspace balance cannot cover the request' },
  budget_exceeded: { status: 402, type: 'insufficient_quota', description: 'The workspace monthly budget is spent' },
  forbidden: { status: 403, type: 'permission_error', description: 'Key lacks permission for this operation' },
  persona_not_found: { status: 404, type: 'invalid_request_error', description: 'The specified persona_id does not exist' },
  not_found: { status: 404, type: 'invalid_request_error', description: 'The resource or route does not exist' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', description: 'The route does not accept this method' },
  payload_too_large: { status: 413, type: 'invalid_request_error', description: 'The request body is over the size limit' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', description: 'The request body is not application/json' },
  validation_error: { status: 422, type: 'invalid_request_error', description: 'Request fields fail validation' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', description: 'Too many requests' },
  internal_error: { status: 500, type: 'server_error', description: 'Server-side failure' },
  model_output_invalid: {
    status: 502,
    type: 'model_error',
    description: "The model's answer broke the request's constraints (JSON schema, forced tool call), also after one more attempt",
  },
  service_unavailable: { status: 503, type: 'server_error', description: 'Temporary overload, or no backend configured' },
} as const satisfies Record<string, { status: number; type: string; description: string }>;

export type ErrorCode = keyof typeof ERRORS;
