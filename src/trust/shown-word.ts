/**
 * A word of a command line as `codex-task trust` shows it: bare when plainly safe, else quoted as a
 * shell would read it, with control and format characters written as escapes — an escape sequence
 * or a carriage return in an entry must not hide part of what is being trusted on the terminal.
 */
export function shownWord(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  const hidden = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
  if (!hidden.test(text)) return `'${text.replaceAll("'", "'\\''")}'`;
  const escaped = [...text]
    .map((ch) =>
      ch === "'" || ch === '\\' ? `\\${ch}` : hidden.test(ch) ? escapeOf(ch.codePointAt(0)!) : ch,
    )
    .join('');
  return `$'${escaped}'`;
}

/** Bash's `$'…'` escapes: `\uXXXX`, `\UXXXXXXXX`. */
function escapeOf(code: number): string {
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\U${hex.padStart(8, '0')}` : `\\u${hex.padStart(4, '0')}`;
}
