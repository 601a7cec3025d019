import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, useHarness } from './support.ts';

/**
 * sed and awk programs past `Bash(sed:*)` and `Bash(awk:*)` written the way GNU sed, mawk and gawk
 * read their arguments (abbreviated long options, `-W` abbreviations, options after the program, a
 * continued line) and their program text (a label ended by a blank, `a` text ended by an escaped
 * backslash, a regex after `print`, a print statement continued after a comma), replayed by a
 * hostile model against a real subagent with the sandbox off: each is refused and nothing runs. Each
 * of these ran its code (GNU sed 4.9, mawk 1.3.4) before the policy read them that way.
 */
const h = useHarness();
let outside: string;

beforeEach(async () => {
  outside = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-scripts-')));
  await mkdir(join(outside, 'marks'));
});
afterEach(() => rm(outside, { recursive: true, force: true }));

const worker = agentFile({ name: 'worker', description: 'works', tools: 'Bash' });

function hostile(commands: string[]) {
  return (req: ScriptedRequest) =>
    req.turn === 0
      ? { toolCalls: commands.map((command) => ({ name: 'Bash', input: { command } })) }
      : { text: 'done' };
}

describe('sed and awk programs that run code, however their options are spelt (sandbox off)', () => {
  it('are refused as code-running under `Bash(sed:*)`/`Bash(awk:*)`, and nothing runs', async () => {
    const mark = (name: string) => join(outside, 'marks', name);
    const tricks = [
      `sed --expr='1e touch ${mark('sed-expr')}' package.json`,
      `sed --exp '1e touch ${mark('sed-exp')}' package.json`,
      'sed --fil=evil.sed package.json',
      'awk -We evil.awk',
      'awk -W e evil.awk',
      `awk 'BEGIN{system("touch ${mark('awk-sandbox')}")}' --sandbox`,
      `awk 'BEGIN{system("touch ${mark('awk-S')}")}' -S`,
      `awk 'BEGIN { x = 1 \\\n/ 2; system("touch ${mark('awk-continued')}"); y = 4 / 2 }'`,
    ];
    const harmless = ["sed -n '1p' package.json", "awk '{print $1}' package.json"];
    await h.setup(
      {
        '.claude/settings.json': JSON.stringify({ permissions: { allow: ['Bash(sed:*)', 'Bash(awk:*)'] } }),
        '.claude/agents/worker.md': worker,
        'package.json': '{"name":"p"}\n',
        'evil.sed': `1e touch ${mark('sed-file')}\n`,
        'evil.awk': `BEGIN { system("touch ${mark('awk-file')}") }\n`,
      },
      hostile([...tricks, ...harmless]),
    );
    const result = await h
      .engine({ sandbox: { mode: 'off' } })
      .run({ description: 'x', prompt: 'x', subagent_type: 'worker' });

    expect(result.toolStats.Bash).toMatchObject({ calls: tricks.length + 2, denied: tricks.length });
    const said = h.model.requests.at(-1)!.toolResults.map((r) => String(r.output));
    for (const [i, s] of said.slice(0, tricks.length).entries()) {
      expect(s, tricks[i]).toContain('which can make the program run other code');
      expect(s, tricks[i]).toMatch(/`Bash\((sed|awk):\*\)` \(.*\) covers it only if it spells it out/);
    }
    // The rules still let the programs run: the refusals are about what the programs would do.
    expect(said.slice(tricks.length)).toEqual(['{"name":"p"}', '{"name":"p"}']);
    expect(readdirSync(join(outside, 'marks'))).toEqual([]);
    expect(existsSync(join(h.workspace, 'marks'))).toBe(false);
  });
  it('read as sed and awk read them: labels, a/i/c text, regex or division, continued statements', async () => {
    const mark = (name: string) => join(outside, 'marks', name);
    const tricks = [
      // GNU sed ends a label at a blank and reads the next command.
      `sed -n ':a e touch ${mark('sed-label')}' package.json`,
      `sed -n ':x\nt x e touch ${mark('sed-branch')}' package.json`,
      `sed -n 'v 4.2 e touch ${mark('sed-version')}' package.json`,
      // `\\` at the end of a/i text is a backslash: the text ends and the next line is a command.
      `sed 'a foo\\\\\n1e touch ${mark('sed-a-text')}' package.json`,
      `sed 'i\\\\\n1e touch ${mark('sed-i-text')}' package.json`,
      // sed 4.9 reads `[[...]]` past its `]`, so what follows looked like a comment but was regex.
      `sed 's/[[...]]/x/;# .]]/y/;1e touch ${mark('sed-bracket')}' package.json`,
      // awk reads `/` after print, do or `++` (mawk) or `length` (mawk) as a regex start.
      `awk 'BEGIN { print /"/; system("touch ${mark('awk-print-regex')}"); y = "\\"" }' package.json`,
      `awk 'BEGIN { do /"/; while (0); system("touch ${mark('awk-do-regex')}"); y = "\\"" }'`,
      `awk 'BEGIN { x = 1; x++ /"/; system("touch ${mark('awk-increment-regex')}"); y = "\\"" }'`,
      `awk 'BEGIN { x = length /"/; system("touch ${mark('awk-length-regex')}"); y = "\\"" }'`,
      `awk 'BEGIN { x = 1system("touch ${mark('awk-number-call')}") }'`,
      // mawk escapes `]` in a bracket: the regex runs on to the `/` in the string.
      `awk 'BEGIN { x = /[\\]/; y = "]/; system("touch ${mark('awk-bracket')}"); z = "" } # "'`,
      // A newline after `,` or `&&` continues the print statement to its redirection.
      `awk 'BEGIN { print "a",\n"b" > "${mark('awk-print-comma')}" }'`,
      `awk 'BEGIN { print "a" &&\n"b" > "${mark('awk-print-and')}" }'`,
      `awk 'BEGIN { printf "%s",\n"b" >> "${mark('awk-printf-comma')}" }'`,
      `awk 'BEGIN { print("a",\n"b") > "${mark('awk-print-paren')}" }'`,
    ];
    const harmless = [
      "sed -n '1,20p' package.json",
      "sed 's/a/b/g' package.json",
      "awk -F: '{print $1}' package.json",
      "awk '{ s += length($0) } END { print s }' package.json",
      "awk 'NR==1' package.json",
    ];
    await h.setup(
      {
        '.claude/settings.json': JSON.stringify({ permissions: { allow: ['Bash(sed:*)', 'Bash(awk:*)'] } }),
        '.claude/agents/worker.md': worker,
        'package.json': '{"name":"p"}\n',
      },
      hostile([...tricks, ...harmless]),
    );
    const result = await h
      .engine({ sandbox: { mode: 'off' } })
      .run({ description: 'x', prompt: 'x', subagent_type: 'worker' });

    expect(result.toolStats.Bash).toMatchObject({
      calls: tricks.length + harmless.length,
      denied: tricks.length,
    });
    const said = h.model.requests.at(-1)!.toolResults.map((r) => String(r.output));
    for (const [i, s] of said.slice(0, tricks.length).entries()) {
      expect(s, tricks[i]).toContain('which can make the program run other code');
      expect(s, tricks[i]).toMatch(/`Bash\((sed|awk):\*\)` \(.*\) covers it only if it spells it out/);
    }
    expect(said.slice(tricks.length)).toEqual([
      '{"name":"p"}',
      '{"nbme":"p"}',
      '{"name"',
      '12',
      '{"name":"p"}',
    ]);
    expect(readdirSync(join(outside, 'marks'))).toEqual([]);
    expect(existsSync(join(h.workspace, 'marks'))).toBe(false);
  });
});
