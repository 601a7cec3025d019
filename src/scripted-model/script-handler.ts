import { createFaultMix } from './faults.ts';
import { parseScript, toRegExp } from './script.ts';
import { renderTemplate, renderValue } from './templates.ts';
import type { Script, ScriptedHandler, ScriptedReply, ScriptedRequest, ScriptWhen } from './types.ts';

const NO_MATCH: ScriptedReply = { text: '(scripted-model) no rule matched the request' };

type Matcher = (req: ScriptedRequest) => boolean;

/** Turns a script into a handler: first matching rule wins, its replies cycle per match. */
export function scriptHandler(input: Script): ScriptedHandler {
  const script = parseScript(input);
  const rules = script.rules.map((rule) => ({
    matches: compileWhen(rule.when),
    replies: Array.isArray(rule.reply) ? rule.reply : [rule.reply],
    count: 0,
  }));
  const drawFault = script.faults ? createFaultMix(script.faults) : undefined;
  return (req) => {
    const drawn = drawFault?.();
    let reply = script.default ?? NO_MATCH;
    for (const rule of rules) {
      if (!rule.matches(req)) continue;
      reply = rule.replies[rule.count % rule.replies.length]!;
      rule.count += 1;
      break;
    }
    const fault = reply.fault ?? drawn;
    const latencyMs = reply.latencyMs ?? script.latencyMs;
    return {
      ...reply,
      ...(reply.text !== undefined && { text: renderTemplate(reply.text, req) }),
      ...(reply.toolCalls && {
        toolCalls: reply.toolCalls.map((call) => ({ ...call, input: renderValue(call.input ?? {}, req) })),
      }),
      ...(fault && { fault }),
      ...(latencyMs !== undefined && { latencyMs }),
    };
  };
}

function compileWhen(when: ScriptWhen | undefined): Matcher {
  if (!when) return () => true;
  const checks: Matcher[] = [];
  if (when.system !== undefined) {
    const re = toRegExp(when.system);
    checks.push((req) => re.test(req.system));
  }
  if (when.user !== undefined) {
    const re = toRegExp(when.user);
    checks.push((req) => re.test(req.lastUserText));
  }
  if (when.toolResult !== undefined) {
    const re = toRegExp(when.toolResult);
    checks.push((req) => req.toolResults.some((result) => re.test(result.output)));
  }
  if (when.turn !== undefined) {
    const turn = when.turn;
    checks.push((req) => req.turn === turn);
  }
  if (when.model !== undefined) {
    const re = toRegExp(when.model);
    checks.push((req) => re.test(req.model));
  }
  if (when.tool !== undefined) {
    const re = toRegExp(when.tool);
    checks.push((req) => req.tools.some((name) => re.test(name)));
  }
  return (req) => checks.every((check) => check(req));
}
