/**
 * The proxy: `codex-task proxy` between Codex CLI (or any Responses API client) and the model API.
 * It forwards everything unchanged and adds two things to POST /responses: the `Task` and
 * `SendMessage` tools, whose calls run subagents here, and slash commands from `.claude/commands/`.
 *
 * How Task results reach the model — of docs/compatibility.md's two designs, this one: Codex sees the Task call
 * (it answers it at once with "unsupported call: Task"), and the proxy replaces that answer, matched
 * by call_id, with the subagent's real result in this and every later request. Why not hide the
 * call and continue upstream itself: Codex resends the whole history on every request, so a hidden
 * call would have to be spliced back at the right place in every later request, and a turn with both
 * Task and Codex's own tool calls (exec_command) cannot be continued by the proxy at all — Codex
 * must run its calls first. Letting Codex keep the call keeps its history true: the only thing
 * rewritten is one output string per call, found by call_id, which also makes a restart simple —
 * the text comes from the run record with that call id. The cost: Codex logs one "unsupported call"
 * line per Task call.
 *
 * Which calls run: only those the proxy saw stream from the upstream (recorded in the run store by
 * call_id and arguments' hash as they stream, so a restarted proxy still knows them). A request is
 * the client's word, and any web page could post one: a Task call that appears only there is never
 * run (task-calls.ts). Who may send requests at all is src/http/request-guard.ts's (Host, Origin,
 * JSON bodies) and the token's off loopback.
 *
 * Background Tasks (`run_in_background`) answer at once with their launch text; their results come
 * back as Claude Code's `<task-notification>` user messages, which only the upstream sees
 * (background-notices.ts), and a final answer given while they run is held and continued with them
 * (background-hold.ts), so that `codex exec` does not end first.
 */

export { KEEPALIVE_EVENT, SYNTHETIC_ID_PREFIX } from './progress-events.ts';
export { ProxyConfigError } from './proxy-errors.ts';
export { type ProxyRuntime, UPSTREAM_PROVIDER } from './proxy-runtime.ts';
export { type ProxyOptions, type ProxyServer, startProxy } from './proxy-server.ts';
