/** An API answer that is not a success: the HTTP API's error shape, `{ error: { type, message, hint? } }`. */
export class Problem extends Error {
  readonly status: 400 | 404 | 409 | 413;
  readonly type: string;
  readonly hint: string | undefined;

  constructor(status: Problem['status'], type: string, message: string, hint?: string) {
    super(message);
    this.status = status;
    this.type = type;
    this.hint = hint;
  }

  body(): { error: { type: string; message: string; hint?: string } } {
    return { error: { type: this.type, message: this.message, ...(this.hint ? { hint: this.hint } : {}) } };
  }
}

export const notFound = (id: string) => new Problem(404, 'NotFound', `No task '${id}'`);
