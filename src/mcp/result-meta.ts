/** Result `_meta` key with the task's id, status, model and usage, for clients that want more than text. */
export const RESULT_META_KEY = 'codex-task/result';
