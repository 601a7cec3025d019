import { z } from 'zod';

/** What a `tools/call` tells us about its caller, from the request's `_meta` (any client; Codex fills most). */
export interface CallMeta {
  /** Codex's thread (conversation): becomes the task's `parentTaskId` in events, logs and run records. */
  threadId?: string;
  /** The model's tool call id in that thread. */
  callId?: string;
  /** The parent's model, for agents with `model: inherit`. */
  model?: string;
  progressToken?: string | number;
}

const id = z.string().trim().min(1).max(200);

// Lenient on purpose: a field of the wrong shape is dropped, never a reason to refuse the call.
const metaSchema = z.object({
  progressToken: z.union([z.string(), z.number()]).optional().catch(undefined),
  threadId: id.optional().catch(undefined),
  callId: id.optional().catch(undefined),
  'x-codex-turn-metadata': z
    .object({ model: id.optional().catch(undefined), thread_id: id.optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

/** Codex 0.169 sends `_meta: { progressToken, callId, threadId, sessionId, x-codex-turn-metadata: {model, …} }` (docs/compatibility.md). */
export function parseCallMeta(meta: unknown): CallMeta {
  const parsed = metaSchema.safeParse(meta ?? {});
  if (!parsed.success) return {};
  const m = parsed.data;
  const turn = m['x-codex-turn-metadata'];
  const threadId = m.threadId ?? turn?.thread_id;
  return {
    ...(threadId ? { threadId } : {}),
    ...(m.callId ? { callId: m.callId } : {}),
    ...(turn?.model ? { model: turn.model } : {}),
    ...(m.progressToken !== undefined ? { progressToken: m.progressToken } : {}),
  };
}
