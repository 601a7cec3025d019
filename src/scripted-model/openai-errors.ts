/** OpenAI's error body, shared by Responses and Chat Completions (and OpenAI-compatible servers). */
export function openaiErrorBody(status: number, message: string) {
  const [type, code] = openaiErrorKind(status);
  return { error: { message, type, param: null, code } };
}

function openaiErrorKind(status: number): [string, string | null] {
  if (status === 400) return ['invalid_request_error', null];
  if (status === 401) return ['invalid_request_error', 'invalid_api_key'];
  if (status === 404) return ['invalid_request_error', 'model_not_found'];
  if (status === 429) return ['requests', 'rate_limit_exceeded'];
  if (status >= 500) return ['server_error', null];
  return ['invalid_request_error', null];
}
